"""The frozen plugin-facing API: everything a model family needs beyond the `genzoo` top level.

A plugin imports from exactly two places, `genzoo` (specs, hookimpl, the model base classes) and
`genzoo.plugin` (training steps, batches, samplers, datasets, metrics helpers, outputs, the shared
probability math, errors). Everything else in genzoo may change between releases; the names in
`__all__` here change only with a new hook API version. First-party families are held to this by
a test that parses their sources.

    from genzoo.plugin import Batch, TrainingStep, normal_kl, GenzooError

Importing this module is cheap: each name is imported from its home module on first use (PEP
562), so a plugin's entry module may import it without pulling in torch.
"""

from __future__ import annotations

import importlib
from typing import Any

from genzoo import distributions

# name -> home module. Grouped as CONTRIBUTING.md documents them.
_HOMES = {
    # models
    "GenerativeModel": "genzoo.model",
    "ModelConfig": "genzoo.config",
    "DataSpec": "genzoo.dataspec",
    "Capability": "genzoo.capabilities",
    "check_inputs": "genzoo.model",
    # training
    "Batch": "genzoo.training",
    "TrainingStep": "genzoo.training",
    "FitStep": "genzoo.training",
    "FitData": "genzoo.training",
    # sampling
    "Sampler": "genzoo.sampling",
    "NoOptions": "genzoo.sampling",
    # data
    "GenzooDataset": "genzoo.data.base",
    "TensorDataset": "genzoo.data.base",
    "ImageDataset": "genzoo.data.base",
    "FieldsDataset": "genzoo.data.fields",
    "UnpairedDataset": "genzoo.data.fields",
    "load_dataset": "genzoo.data",
    "view_for": "genzoo.data.base",
    "dataset_tensors": "genzoo.inputs",
    "read_example": "genzoo.inputs",
    # metrics
    "EvalRequest": "genzoo.metrics.base",
    "require_model": "genzoo.metrics.base",
    # outputs
    "save_samples": "genzoo.outputs",
    "image_grid": "genzoo.outputs",
    # errors
    "GenzooError": "genzoo.errors",
    "ConfigError": "genzoo.errors",
    "CapabilityError": "genzoo.errors",
    "CheckpointError": "genzoo.errors",
    "UnknownNameError": "genzoo.errors",
    # the shared probability math, as a module and name by name
    "distributions": "genzoo",
}

_HOMES |= dict.fromkeys(distributions.__all__, "genzoo.distributions")  # a lazy package: no torch import

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(
            f"genzoo.plugin has no {name!r}; the plugin API is genzoo.plugin.__all__ and genzoo.__all__"
        )
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__
