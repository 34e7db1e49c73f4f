"""The genzoo entry point of the adversarial family.

Each group of models registers its architectures, samplers, metrics and commands in its own module
under `specs/` (plain pydantic specs, no torch import, so `genzoo list` stays fast); datasets come
from `specs/stacked_mnist.py` (with its mode-counting metric) and the translation groups' modules
(paired, unpaired, super-resolution); this module only gathers them. Pretrained checkpoints are pinned in `pretrained.json`, written by
scripts/publish_pretrained.py.
"""

from pathlib import Path

from genzoo import (ArchitectureSpec, CommandSpec, DatasetSpec, MetricSpec, PretrainedSpec, SamplerSpec,
                    hookimpl)
from genzoo_adversarial.specs import (conditional, mixture, paired_translation, stacked_mnist, style_based,
                                     superresolution, unconditional, unpaired_translation)

genzoo_hook_api = 2

CATALOG = Path(__file__).with_name("pretrained.json")
PARTS = (unconditional, conditional, paired_translation, unpaired_translation, superresolution, mixture,
         style_based)


@hookimpl
def genzoo_architectures() -> list[ArchitectureSpec]:
    return [spec for part in PARTS for spec in part.ARCHITECTURES]


@hookimpl
def genzoo_samplers() -> list[SamplerSpec]:
    return [spec for part in PARTS for spec in part.SAMPLERS]


@hookimpl
def genzoo_metrics() -> list[MetricSpec]:
    return [spec for part in PARTS for spec in part.METRICS] + stacked_mnist.METRICS


@hookimpl
def genzoo_datasets() -> list[DatasetSpec]:
    return (stacked_mnist.DATASETS + paired_translation.DATASETS + unpaired_translation.DATASETS
            + superresolution.DATASETS)


@hookimpl
def genzoo_commands() -> list[CommandSpec]:
    return [spec for part in PARTS for spec in part.COMMANDS]


@hookimpl
def genzoo_pretrained() -> list[PretrainedSpec]:
    return PretrainedSpec.from_catalog(CATALOG)
