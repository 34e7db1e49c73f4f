"""Bicubic upsampling on mnist-sr, measured by the same metrics as a trained SRGAN: the no-learning baseline.

SRGAN's table compares the adversarial generator with the same generator trained with L1 alone
(`genzoo train srgan --trainer pixel`) and with bicubic interpolation, which has no weights and so
no checkpoint for `genzoo eval`; this script wraps it as a translator (7x7 -> 28x28 with
torch's bicubic kernel, a = -0.75, half-pixel centres, clamped to [0, 1]) and runs the registered
metrics on it with the request `genzoo eval RUN --data mnist-sr --n N --seed S` would make:

    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/srgan_bicubic.py --n 2000

It prints one JSON line of metric values (psnr, ssim, translation-fid and its floor, class-kept).
"""

from __future__ import annotations

import json
from typing import ClassVar

import click
import torch
from torch.nn import functional as F

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo_adversarial.superresolution_data import MNIST_FACTOR, source_spec

HIGH = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10)
LOW = source_spec(HIGH, MNIST_FACTOR)
METRICS = ("psnr", "ssim", "translation-fid", "class-kept")


class BicubicConfig(ModelConfig):
    data: DataSpec = HIGH
    source: DataSpec = LOW


class BicubicUpsampler(GenerativeModel):
    """Bicubic interpolation to the data size: no weights."""

    config_class = BicubicConfig
    capabilities: ClassVar = frozenset({Capability.TRANSLATE})
    default_sampler: ClassVar = None

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        size = self.data_spec.shape[1:]
        return F.interpolate(x, size=size, mode="bicubic", align_corners=False).clamp(*self.data_spec.value_range)


@click.command()
@click.option("--n", type=click.IntRange(2, 10_000), default=2000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def main(n: int, seed: int) -> None:
    model = BicubicUpsampler(BicubicConfig())
    request = EvalRequest(data="mnist-sr", n=n, seed=seed, command=f"python benchmarks/srgan_bicubic.py --n {n} "
                                                                   f"--seed {seed}")
    values = {r.name: round(r.value, 4) for metric in METRICS for r in evaluate(model, metric, request)}
    print(json.dumps({"translator": "bicubic", "n": n, "seed": seed, **values}))


if __name__ == "__main__":
    main()
