"""Choose q for PPCA / factor analysis on digits by a validation split of the TRAIN set (never the test set).

    python benchmarks/linear_latent_dim_sweep.py ppca --q 10 20 30 40 50
    python benchmarks/linear_latent_dim_sweep.py fa --trainer em --q 10 20 30 40 --set max_iterations=500

The 1,437 training digits (dequantized view, as `genzoo train ... --set data.view=dequantized` sees
them) are split by a fixed permutation into a fit part and a validation part (`--validation`, 20%);
each q is fitted with the architecture's trainer on the fit part and scored by the exact log_prob of
the validation part, converted to bits/dim by the formula `genzoo eval --metric nll` uses. Printed:
one line per q and the best one.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("architecture", choices=["ppca", "fa"])
    parser.add_argument("--q", type=int, nargs="+", required=True)
    parser.add_argument("--trainer", default=None, help="default: the architecture's first trainer")
    parser.add_argument("--set", dest="options", action="append", default=[], metavar="FIELD=VALUE",
                        help="a step option, e.g. max_iterations=500 (JSON values)")
    parser.add_argument("--validation", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0, help="seeds the fit/validation permutation")
    args = parser.parse_args()

    import torch

    import genzoo
    from genzoo.data import load_dataset
    from genzoo.metrics.nll import bits_per_dim
    from genzoo.plugin import Batch, FitData
    from genzoo.training.setup import load_step

    torch.set_num_threads(1)
    train = load_dataset("digits", "train", optional={"view": "dequantized"})
    x, _ = train.tensors()
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(args.seed))
    cut = int(round(len(x) * (1 - args.validation)))
    fit_x, valid_x = x[order[:cut]], x[order[cut:]]
    spec = genzoo.get_registry().architecture(args.architecture)
    trainer = args.trainer or next(iter(spec.trainers))
    options = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.options)}
    step = load_step(spec, trainer, options)
    batch = Batch(fit_x)
    data = FitData(lambda epoch: iter([batch]), lambda: batch)
    print(f"{args.architecture} ({trainer}, {options or 'default options'}) on digits: fit {len(fit_x)}, "
          f"validation {len(valid_x)} of the train split (dequantized, seed {args.seed})")
    print(f"{'q':>4}{'iterations':>12}{'fit s':>8}{'valid nll':>12}{'bits/dim':>10}")
    scores = {}
    for q in args.q:
        model = genzoo.create(args.architecture, data=train.data_spec, latent_dim=q)
        iterations = []
        start = time.perf_counter()
        step.fit(model, data, lambda i, values: iterations.append(i))
        seconds = time.perf_counter() - start
        with torch.no_grad():
            nll = float(-model.log_prob(valid_x).double().mean())
        scores[q] = bits_per_dim(nll, train.data_spec)
        print(f"{q:>4}{len(iterations):>12}{seconds:>8.2f}{nll:>12.2f}{scores[q]:>10.4f}")
    best = min(scores, key=scores.get)
    print(f"best q = {best} ({scores[best]:.4f} bits/dim on the validation part)")


if __name__ == "__main__":
    main()
