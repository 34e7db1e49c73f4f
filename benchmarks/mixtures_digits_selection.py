"""Choose the digits mixtures' settings on a validation split of the digits TRAIN split (never the test split).

The 1,437 training images are split once (seed 1) into 1,137 to fit and 300 to validate; every
candidate is fitted by EM (seed 0) on the first part and scored in bits/dim on the second, with the
protocol of `genzoo eval --metric nll` (its `bits_per_dim`): Gaussian mixtures on uniformly dequantized
images, bits/dim = (NLL / 64 + ln 17) / ln 2; categorical mixtures on the level indices, NLL / (64 ln 2).

    OMP_NUM_THREADS=1 python benchmarks/mixtures_digits_selection.py [gmm|vbgmm|catmix ...]
"""

from __future__ import annotations

import sys

import torch

import genzoo
from genzoo.data import load_dataset
from genzoo.metrics.nll import bits_per_dim

VALIDATION = 300
CANDIDATES = {
    "gmm": [{"components": k, "covariance": c, "jitter": j} for c, ks, js in [
        ("full", (1, 2, 3, 5, 8, 10, 15, 20, 30), (1e-6, 1e-4, 1e-3, 3e-3, 1e-2)),
        ("diagonal", (10, 20, 30, 40, 50, 60, 80, 120), (1e-6, 1e-4, 1e-3)),
        ("spherical", (20, 60, 120), (1e-6,)),
    ] for k in ks for j in js],
    "vbgmm": [{"components": k, "weight_concentration": a, "mean_precision": b}
              for k in (10, 20, 40) for a in (1e-3, 1.0) for b in (1.0, 0.01)],
    "catmix": [{"components": k, "pseudo_count": a}
               for k in (1, 10, 20, 30, 40, 60, 80) for a in (0.05, 0.2, 0.5, 1.0)],
}
VIEWS = {"gmm": "dequantized", "vbgmm": "dequantized", "catmix": "levels"}


def split(view: str) -> tuple[torch.Tensor, torch.Tensor]:
    x = load_dataset("digits", "train", optional={"view": view, "seed": 0}).tensors()[0]
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))
    return x[order[VALIDATION:]], x[order[:VALIDATION]]


def main(architectures: list[str]) -> None:
    torch.set_num_threads(1)
    for architecture in architectures:
        fit, validation = split(VIEWS[architecture])
        data = load_dataset("digits", "train", optional={"view": VIEWS[architecture]}).data_spec
        for settings in CANDIDATES[architecture]:
            model = genzoo.create(architecture, data=data, **settings)
            try:
                model.fit_mixture(fit, iterations=300, tolerance=1e-4, log=lambda i, v: None,
                                  generator=torch.Generator().manual_seed(0))
            except genzoo.errors.GenzooError as error:
                print(architecture, settings, "failed:", error, flush=True)
                continue
            with torch.no_grad():
                nll = float(-model.log_prob(validation).double().mean())
            print(f"{architecture} {settings} validation bits/dim {bits_per_dim(nll, data):.4f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(CANDIDATES))
