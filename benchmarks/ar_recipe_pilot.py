"""Pilot of the autoregressive recipes (issue 14): process CPU seconds per training step, the training loss
curve and, optionally, the exact test NLL after a few minutes, to size the full `genzoo train` runs.

Each step is what `genzoo train ARCH --trainer nll` does: Adam on the mean exact NLL (nats per example) of a
batch drawn from the training split, conditioned on the labels for a class-conditional model (training mode,
so PixelCNN's TapConvs run F.conv2d). Losses are also shown in bits per element (what `genzoo eval --metric
nll` reports for K-level data). The test NLL is `genzoo eval --metric nll --n N`'s: the first N examples of the
test split on the exact path (no gradients). CPU seconds are this process's (run it with one thread), so they
mean something on a machine shared with other jobs.

    OMP_NUM_THREADS=1 GENZOO_DATA=... python benchmarks/ar_recipe_pilot.py gated-pixelcnn-mnist --steps 200
    OMP_NUM_THREADS=1 python benchmarks/ar_recipe_pilot.py wavenet-tones --steps 5 --set stacks=1
"""

from __future__ import annotations

import math
import time

import click
import torch

import genzoo
from genzoo.cli.options import parse_assignments
from genzoo.plugin import load_dataset

BINARIZED_MNIST = ("mnist", {"view": "binarized"})
WAVENET = {"residual_channels": 32, "gate_channels": 32, "skip_channels": 64, "cycle": 10, "stacks": 2}
RECIPES = {
    # name -> (architecture, (dataset, options), model config, batch size, lr): the published recipes' sizes
    "gated-pixelcnn-mnist": ("gated-pixelcnn", BINARIZED_MNIST, {"channels": 32, "layers": 8, "num_classes": 10},
                             32, 1e-3),
    "pixelcnn-mnist": ("pixelcnn", BINARIZED_MNIST, {"channels": 32, "layers": 7}, 32, 1e-3),
    "transformer-mnist": ("transformer", BINARIZED_MNIST, {"layers": 4, "width": 64, "heads": 2}, 32, 2e-3),
    "charlm-shakespeare": ("charlm", ("shakespeare", {}), {"layers": 4, "width": 128, "heads": 4, "dropout": 0.1},
                           32, 2e-3),
    "wavenet-tones": ("wavenet", ("tones", {}), WAVENET, 16, 1e-3),
}


def batch(data, index: list[int], conditional: bool) -> tuple[torch.Tensor, torch.Tensor | None]:
    examples = [data[i] for i in index]
    x = torch.stack([e[0] for e in examples])
    return x, torch.as_tensor([int(e[1]) for e in examples]) if conditional else None


@click.command()
@click.argument("recipe", type=click.Choice(sorted(RECIPES)))
@click.option("--steps", type=click.IntRange(1, 100_000), default=20, show_default=True)
@click.option("--log-every", type=click.IntRange(1, 10_000), default=5, show_default=True)
@click.option("--eval-n", type=click.IntRange(0, 10_000), default=0, show_default=True,
              help="Test examples to score at the end (0: none).")
@click.option("--batch-size", type=click.IntRange(1, 4096), help="Override the recipe's batch size.")
@click.option("--lr", type=click.FloatRange(1e-7, 1.0), help="Override the recipe's learning rate.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a model config field.")
def main(recipe, steps, log_every, eval_n, batch_size, lr, overrides):
    architecture, (dataset, options), config, recipe_batch, recipe_lr = RECIPES[recipe]
    config, batch_size, lr = {**config, **parse_assignments(overrides)}, batch_size or recipe_batch, lr or recipe_lr
    data = load_dataset(dataset, split="train", **options)
    conditional = config.get("num_classes") is not None
    torch.manual_seed(0)
    model = genzoo.create(architecture, data=data.data_spec, **config).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(0)
    per_bit = model.sequence_length * math.log(2)
    click.echo(f"{recipe}: {config}, {sum(p.numel() for p in model.parameters()):,} parameters, batch {batch_size}, "
               f"lr {lr}")
    total_cpu, losses = 0.0, []
    for step in range(1, steps + 1):
        x, y = batch(data, torch.randint(len(data), (batch_size,), generator=generator).tolist(), conditional)
        cpu = time.process_time()
        loss = -model.log_prob(x, condition=y).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_cpu += time.process_time() - cpu
        losses.append(loss.item())
        if step % log_every == 0:
            recent = sum(losses[-log_every:]) / log_every
            click.echo(f"step {step}: mean loss of the last {log_every} {recent:.2f} nats = {recent / per_bit:.4f} "
                       f"bits/element, {total_cpu:.0f} CPU s so far ({total_cpu / step:.3f} CPU s/step)")
    if eval_n:
        test = load_dataset(dataset, split="test", **options)
        model.eval()
        scored = []
        with torch.no_grad():
            for chunk in torch.arange(min(eval_n, len(test))).split(250):
                x, y = batch(test, chunk.tolist(), conditional)
                scored.append(-model.log_prob(x, condition=y))
        nll = torch.cat(scored).mean()
        click.echo(f"test NLL after {steps} steps ({total_cpu:.0f} CPU s): {nll:.2f} nats = {nll / per_bit:.4f} "
                   f"bits/element (first {eval_n} test examples)")


if __name__ == "__main__":
    main()
