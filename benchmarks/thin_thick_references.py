"""Reference translators on mnist-thin-thick, measured by the same metrics as a trained CycleGAN.

What a translation-FID and a class-kept rate mean on this task depends on how far apart the domains are
and on how well classifier-mnist reads thick digits, so this prints the two ends of the scale, through
genzoo's own metric code (translation-fid, class-kept; n test inputs, seed 0):

- copy, a -> b: the input returned as it is (a thin digit offered as a thick one): the domain gap;
- dilate, a -> b: the true operator that made domain b (3x3 grey dilation): what a perfect translator
  scores; its class-kept is the classifier's accuracy on thick digits;
- copy, b -> a: a thick digit offered as a thin one.

    GENZOO_DATA=... OMP_NUM_THREADS=1 python benchmarks/thin_thick_references.py --n 2000
"""

from __future__ import annotations

import json
from typing import ClassVar

import click
import torch

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.translation import class_kept_metric, translation_fid_metric
from genzoo_adversarial.thick_digits import dilate

DIGIT = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10)


class ReferenceConfig(ModelConfig):
    data: DataSpec = DIGIT
    source: DataSpec = DIGIT


class ReferenceTranslator(GenerativeModel):
    """A fixed function from stream `source_stream` to stream `target_stream`: no weights."""

    config_class = ReferenceConfig
    capabilities: ClassVar = frozenset({Capability.TRANSLATE})
    default_sampler: ClassVar = None

    def __init__(self, operation: str, source_stream: str, target_stream: str):
        super().__init__(ReferenceConfig())
        self.operation, self.source_stream, self.target_stream = operation, source_stream, target_stream

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        return dilate(x) if self.operation == "dilate" else x


@click.command()
@click.option("--n", type=click.IntRange(2, 2500), default=2000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def main(n: int, seed: int) -> None:
    request = EvalRequest(data="mnist-thin-thick", n=n, seed=seed)
    for operation, source, target in (("copy", "a", "b"), ("dilate", "a", "b"), ("copy", "b", "a")):
        model = ReferenceTranslator(operation, source, target)
        values = {r.name: r.value for r in translation_fid_metric(model, request) + class_kept_metric(model, request)}
        print(json.dumps({"translator": f"{operation} {source}->{target}", "n": n, **{
            k: round(v, 4) for k, v in values.items()}}))


if __name__ == "__main__":
    main()
