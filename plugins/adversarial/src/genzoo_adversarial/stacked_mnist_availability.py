"""Whether an MNIST-derived dataset (stacked MNIST, the edge, thin/thick and super-resolution pairs) can be built
here; its own module, as `genzoo datasets` asks it without importing torch."""

from __future__ import annotations

import importlib

from genzoo import get_registry


def missing() -> str | None:
    """Why an MNIST-derived dataset cannot be built here: exactly when MNIST cannot (asks MNIST's own check)."""
    check = get_registry().dataset("mnist").missing
    if check is None:
        return None
    module, _, name = check.partition(":")
    return getattr(importlib.import_module(module), name)()
