"""The genzoo entry point of the explicit-likelihood family.

Each group of models registers its architectures, samplers, metrics and datasets in its own module under
`specs/` (plain pydantic specs, no torch import, so `genzoo list` stays fast); this module only
gathers them, from every module of `specs/` in name order, so adding a group is adding a file. Pretrained checkpoints are pinned in `pretrained.json`, written by
scripts/publish_pretrained.py.
"""

import importlib
import pkgutil
from pathlib import Path

from genzoo import ArchitectureSpec, DatasetSpec, MetricSpec, PretrainedSpec, SamplerSpec, hookimpl
from genzoo_explicit_likelihood import specs

genzoo_hook_api = 2

CATALOG = Path(__file__).with_name("pretrained.json")
PARTS = tuple(importlib.import_module(f"{specs.__name__}.{module.name}")
              for module in pkgutil.iter_modules(specs.__path__))


@hookimpl
def genzoo_architectures() -> list[ArchitectureSpec]:
    return [spec for part in PARTS for spec in part.ARCHITECTURES]


@hookimpl
def genzoo_samplers() -> list[SamplerSpec]:
    return [spec for part in PARTS for spec in part.SAMPLERS]


@hookimpl
def genzoo_metrics() -> list[MetricSpec]:
    return [spec for part in PARTS for spec in part.METRICS]


@hookimpl
def genzoo_datasets() -> list[DatasetSpec]:
    return [spec for part in PARTS for spec in getattr(part, "DATASETS", [])]


@hookimpl
def genzoo_pretrained() -> list[PretrainedSpec]:
    return PretrainedSpec.from_catalog(CATALOG)
