"""Reference translators on digits2mnist, measured by the same metrics as a trained DTN.

What a translation-FID and a class-kept rate mean for 8x8 digits -> MNIST depends on how far apart the
domains are and on how well classifier-mnist reads an enlarged 8x8 digit, so this prints, through
genzoo's own metric code (translation-fid with its floor, class-kept; n test inputs, seed 0), what
"no learning" scores: each 8x8 input enlarged into MNIST's 20x20 digit box and padded to 28x28 (the
framing DTN's encoder_view uses), by nearest-neighbour and by bilinear interpolation. It also prints
their f-constancy with DTN's default f (classifier-digits; the `f-constancy` metric's formula on the
same n inputs): how much of f's view of the input plain enlargement keeps.

    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/dtn_references.py --data digits2mnist --n 360
    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/dtn_references.py --data digits-all2mnist --n 1797
"""

from __future__ import annotations

import json
from typing import ClassVar

import click
import torch
from torch.nn import functional as F

import genzoo
from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.translation import class_kept_metric, translation_fid_metric

MNIST = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10)
DIGITS = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0), levels=17, num_classes=10)
BOX, MARGIN = 20, 4  # MNIST's digit box and the border around it


class ReferenceConfig(ModelConfig):
    data: DataSpec = MNIST
    source: DataSpec = DIGITS


class EnlargeTranslator(GenerativeModel):
    """The input enlarged into the 20x20 box and padded: no weights."""

    config_class = ReferenceConfig
    capabilities: ClassVar = frozenset({Capability.TRANSLATE})
    default_sampler: ClassVar = None
    source_stream, target_stream = "input", "target"

    def __init__(self, mode: str):
        super().__init__(ReferenceConfig())
        self.mode = mode

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        options = {} if self.mode == "nearest" else {"align_corners": False}
        return F.pad(F.interpolate(x, size=(BOX, BOX), mode=self.mode, **options).clamp(0, 1), (MARGIN,) * 4)


@click.command()
@click.option("--data", type=click.Choice(["digits2mnist", "digits-all2mnist"]), default="digits2mnist",
              show_default=True)
@click.option("--n", type=click.IntRange(2, 5000), default=360, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def main(data: str, n: int, seed: int) -> None:
    request = EvalRequest(data=data, n=n, seed=seed)
    dtn = genzoo.create("dtn")  # only its f (classifier-digits) and encoder_view are used
    inputs = request.dataset("test", "continuous").streams["input"].tensors()[0]
    inputs = inputs[torch.randperm(len(inputs), generator=torch.Generator().manual_seed(seed))[:n]]
    for mode in ("nearest", "bilinear"):
        model = EnlargeTranslator(mode)
        values = {r.name: r.value for r in translation_fid_metric(model, request) + class_kept_metric(model, request)}
        with torch.no_grad():
            original = dtn.features(inputs, "source").double()
            kept = dtn.features(model.translate(inputs), "target").double()
        error = (kept - original).square().mean()
        values |= {"f-constancy": error.item(),
                   "f-constancy-relative": (error / (original - original.mean(0)).square().mean()).item()}
        print(json.dumps({"translator": f"enlarge ({mode})", "data": data, "n": n,
                          **{k: round(v, 4) for k, v in values.items()}}))


if __name__ == "__main__":
    main()
