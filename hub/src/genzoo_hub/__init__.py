"""``genzoo hub serve``: a self-hosted, Hugging Face Hub-compatible model server.

Speaks enough of the Hub HTTP API for the unmodified ``huggingface_hub`` client (downloads with
resume, snapshots, repo info, refs, repo creation and regular-file uploads), on top of a
crash-safe content-addressed store. See ``app.py`` for the route table and ``storage.py`` for the
on-disk format and its durability argument.

The package itself imports nothing heavy: genzoo discovers ``genzoo_hub.plugin`` at every CLI
start, and starlette/uvicorn must load only when a server actually runs.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DEFAULT_MAX_UPLOAD_BYTES": ".app",
    "create_app": ".app",
    "load_tokens": ".auth",
    "FsckReport": ".check",
    "fsck": ".check",
    "ConnectionLimits": ".guard",
    "import_folder": ".importer",
    "serve": ".runner",
    "uvicorn_config": ".runner",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module 'genzoo_hub' has no attribute {name!r}")


__all__ = sorted(_EXPORTS)
