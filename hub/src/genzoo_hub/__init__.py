"""``genzoo hub serve``: a self-hosted, Hugging Face Hub-compatible model server.

Speaks enough of the Hub HTTP API for the unmodified ``huggingface_hub`` client (downloads with
resume, snapshots, repo info, refs, repo creation and regular-file uploads), on top of a
crash-safe content-addressed store. See ``app.py`` for the route table and ``storage.py`` for the
on-disk format and its durability argument.
"""

from .app import DEFAULT_MAX_UPLOAD_BYTES, create_app
from .auth import load_tokens
from .fsck import FsckReport, fsck
from .importer import import_folder
from .runner import serve

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "FsckReport", "create_app", "fsck", "import_folder", "load_tokens", "serve"]
