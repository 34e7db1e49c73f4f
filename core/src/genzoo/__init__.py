"""genzoo: a plugin-based zoo of deep generative models.

    import genzoo
    genzoo.list_models("*vae*", pretrained=True)
    model = genzoo.load("vae-mnist")
    x = model.sample(16, generator=torch.Generator().manual_seed(0))

Importing genzoo is cheap: torch and model code load on first use, so listing models is fast.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.2.0"

from genzoo.api import ModelInfo, create, info, list_models, load, save_pretrained
from genzoo.capabilities import Capability
from genzoo.card import MetricResult, ModelCard, Recipe
from genzoo.config import ModelConfig
from genzoo.dataspec import DataSpec
from genzoo.errors import GenzooError
from genzoo.hookspecs import HOOK_API_VERSION, hookimpl
from genzoo.registry import get_registry, reset_registry
from genzoo.specs import (
    ArchitectureSpec,
    CommandSpec,
    DatasetSpec,
    MetricSpec,
    PretrainedSpec,
    SamplerSpec,
    SamplingDefaults,
)

# Names whose modules import torch: resolved on first attribute access (PEP 562).
_LAZY = {
    "GenerativeModel": "genzoo.model",
    "Generator": "genzoo.model",
    "Encoder": "genzoo.model",
    "Likelihood": "genzoo.model",
    "Translator": "genzoo.model",
    "Sampler": "genzoo.sampling",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'genzoo' has no attribute {name!r}")


__all__ = [
    "HOOK_API_VERSION",
    "ArchitectureSpec",
    "Capability",
    "CommandSpec",
    "DataSpec",
    "DatasetSpec",
    "GenzooError",
    "MetricResult",
    "MetricSpec",
    "ModelCard",
    "ModelConfig",
    "ModelInfo",
    "PretrainedSpec",
    "Recipe",
    "SamplerSpec",
    "SamplingDefaults",
    "__version__",
    "create",
    "get_registry",
    "hookimpl",
    "info",
    "list_models",
    "load",
    "reset_registry",
    "save_pretrained",
    *_LAZY,
]
