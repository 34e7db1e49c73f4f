"""Choose realnvp-digits' settings and step count on a validation split of the digits TRAIN split.

The 1,437 training images are split once (seed 1) into 1,137 to train and 300 to validate (never the
test split). Each candidate trains like `genzoo train realnvp --data digits --set data.view=dequantized`
does (NLLStep's loss, Adam or AdamW, cosine schedule, fresh uniform dequantization of every batch) and is
scored every --every steps on the validation images, dequantized once with seed 0, in bits/dim as
`genzoo eval --metric nll` reports them: (NLL / 64 + ln 17) / ln 2. The best step is the early-stopping
point to train the published model for on the whole training split.

    OMP_NUM_THREADS=1 python benchmarks/realnvp_digits_selection.py '{"couplings": 4, "hidden": 64}' \\
        [--steps 3000] [--every 250] [--lr 1e-3] [--weight-decay 1e-4] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import json
import math
import time

import genzoo
import torch
from genzoo.data import load_dataset
from genzoo.plugin import Batch, dequantize
from genzoo_explicit_likelihood.training import NLLStep

VALIDATION = 300
LEVELS = 17


def split() -> tuple[torch.Tensor, torch.Tensor]:
    """(train levels, validation images dequantized once with seed 0) from the digits train split."""
    levels = load_dataset("digits", "train", optional={"view": "levels"}).tensors()[0]
    order = torch.randperm(len(levels), generator=torch.Generator().manual_seed(1))
    validation = dequantize(levels[order[:VALIDATION]], LEVELS, generator=torch.Generator().manual_seed(0))
    return levels[order[VALIDATION:]], validation


def bits_per_dim(nll: float) -> float:
    return (nll / 64 + math.log(LEVELS)) / math.log(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=json.loads, help="realnvp config values as JSON")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0, help="AdamW's decoupled decay (0: Adam)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    train_levels, validation = split()
    spec = load_dataset("digits", "train", optional={"view": "dequantized"}).data_spec
    model = genzoo.create("realnvp", data=spec, **args.model)
    optimizer = (torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay) if args.weight_decay
                 else torch.optim.Adam(model.parameters(), lr=args.lr))
    step, began, best = NLLStep(), time.perf_counter(), (math.inf, 0)
    for index in range(args.steps):
        for group in optimizer.param_groups:
            group["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * index / args.steps))
        chosen = torch.randint(len(train_levels), (args.batch_size,))
        x = dequantize(train_levels[chosen], LEVELS)
        loss = step.loss(model, Batch(x), "model", {})["loss"]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if (index + 1) % args.every == 0 or index + 1 == args.steps:
            model.eval()
            with torch.no_grad():
                score = bits_per_dim(float(-model.log_prob(validation).double().mean()))
            model.train()
            best = min(best, (score, index + 1))
            print(f"step {index + 1}: train {bits_per_dim(loss.item()):.3f} validation {score:.4f} bits/dim "
                  f"({time.perf_counter() - began:.0f} s)", flush=True)
    print(f"best {best[0]:.4f} bits/dim at step {best[1]}: {json.dumps(args.model)} lr {args.lr} "
          f"weight_decay {args.weight_decay} batch {args.batch_size} steps {args.steps}")


if __name__ == "__main__":
    main()
