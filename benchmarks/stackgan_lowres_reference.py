"""The resolution floor of StackGAN's stage-I FID: real MNIST test digits shrunk to 14x14 and brought back to 28x28.

`genzoo eval stackgan-mnist --sampler stackgan-stage-one` measures stage I's 14x14 images upsampled to 28x28 against
real 28x28 training digits, so its FID mixes two things: how good stage I's digits are, and how far any 14x14 image
upsampled is from a 28x28 one in the classifier's features. This script measures the second alone: the first n
real test digits average-pooled 2x (stage I's training data) and upsampled the way the sampler does it, wrapped as
a model whose samples they are, run through the registered `fid` metric with the request
`genzoo eval RUN --metric fid --n N` makes (same real train reference, same seed):

    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/stackgan_lowres_reference.py --n 10000 --upsample bilinear

It prints one JSON line: the FID of the shrunk-and-upsampled real digits, the floor (real test vs real train), and
`class-read`, the share of those n digits that classifier-mnist reads as their true label (what cond-acc would be
for a stage I that drew real digits).
"""

from __future__ import annotations

import json
from typing import ClassVar

import click
import torch
from torch.nn import functional as F

import genzoo
from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.plugin import load_dataset, snap_to_levels

MNIST = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10)
FACTOR = 2  # stackgan's default stage_one_factor: 28x28 -> 14x14


class ShrunkConfig(ModelConfig):
    data: DataSpec = MNIST
    upsample: str = "bilinear"


class ShrunkRealDigits(GenerativeModel):
    """'Samples' = the real test digits in order, average-pooled and upsampled back, snapped to MNIST's levels."""

    config_class = ShrunkConfig
    capabilities: ClassVar = frozenset({Capability.SAMPLE})
    default_sampler: ClassVar = "ancestral"

    def __init__(self, config: ShrunkConfig):
        super().__init__(config)
        x, self.labels = load_dataset("mnist", "test", view="continuous").tensors()
        low = F.avg_pool2d(x, FACTOR)
        options = {"align_corners": False} if config.upsample == "bilinear" else {}
        up = F.interpolate(low, size=MNIST.shape[1:], mode=config.upsample, **options)
        self.register_buffer("images", snap_to_levels(up, MNIST.levels, MNIST.value_range), persistent=False)
        self.cursor = 0

    def generate(self, n, *, condition=None, generator=None):
        chunk = self.images[self.cursor:self.cursor + n]
        self.cursor += n
        return chunk


@click.command()
@click.option("--n", type=click.IntRange(2, 10_000), default=10_000, show_default=True)
@click.option("--upsample", type=click.Choice(["bilinear", "nearest"]), default="bilinear", show_default=True)
def main(n: int, upsample: str) -> None:
    model = ShrunkRealDigits(ShrunkConfig(upsample=upsample))
    request = EvalRequest(data="mnist", n=n, seed=0,
                          command=f"python benchmarks/stackgan_lowres_reference.py --n {n} --upsample {upsample}")
    values = {r.name: round(r.value, 4) for r in evaluate(model, "fid", request)}
    with torch.no_grad():
        read = genzoo.load("classifier-mnist").classify(model.images[:n]).argmax(dim=1)
    values["class-read"] = round((read == model.labels[:n]).float().mean().item(), 4)
    print(json.dumps({"reference": f"real test digits pooled {FACTOR}x, {upsample} back", "n": n, **values}))


if __name__ == "__main__":
    main()
