"""The genzoo entry point of the adversarial family.

Each group of models registers its architectures, samplers, metrics, datasets and commands in its own
module under `specs/` (plain pydantic specs, no torch import, so `genzoo list` stays fast); this module
only gathers every module it finds there, so adding a group never touches this file. Pretrained
checkpoints are pinned in `pretrained.json`, written by scripts/publish_pretrained.py.
"""

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from genzoo import (ArchitectureSpec, CommandSpec, DatasetSpec, MetricSpec, PretrainedSpec, SamplerSpec,
                    hookimpl)
from genzoo_adversarial import specs

genzoo_hook_api = 2

CATALOG = Path(__file__).with_name("pretrained.json")


def _spec_modules() -> tuple[ModuleType, ...]:
    """Every module under `specs/`, in name order so registration order does not depend on the file system."""
    names = sorted(info.name for info in pkgutil.iter_modules(specs.__path__))
    return tuple(importlib.import_module(f"{specs.__name__}.{name}") for name in names)


PARTS = _spec_modules()


def _gathered(attribute: str) -> list:
    """The concatenation of one spec list over every part; a part that registers none of a kind omits it."""
    return [spec for part in PARTS for spec in getattr(part, attribute, [])]


@hookimpl
def genzoo_architectures() -> list[ArchitectureSpec]:
    return _gathered("ARCHITECTURES")


@hookimpl
def genzoo_samplers() -> list[SamplerSpec]:
    return _gathered("SAMPLERS")


@hookimpl
def genzoo_metrics() -> list[MetricSpec]:
    return _gathered("METRICS")


@hookimpl
def genzoo_datasets() -> list[DatasetSpec]:
    return _gathered("DATASETS")


@hookimpl
def genzoo_commands() -> list[CommandSpec]:
    return _gathered("COMMANDS")


@hookimpl
def genzoo_pretrained() -> list[PretrainedSpec]:
    return PretrainedSpec.from_catalog(CATALOG)
