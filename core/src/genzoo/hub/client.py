"""Resolve a pretrained card to a verified local folder.

A hub is either a URL of a Hub-compatible server (huggingface.co or `genzoo hub serve`), used
through `huggingface_hub` and its cache, or a local folder of repo folders such as the bundled
`registry/`. With no configuration the bundled registry is the hub, so pretrained names load on a
machine with no network. Every file is checked against the sha256 pinned in the card before use.
"""

from __future__ import annotations

import os
from pathlib import Path

from genzoo.atomic import sha256_file
from genzoo.errors import CheckpointError, GenzooError
from genzoo.specs import PretrainedSpec


def bundled_registry() -> Path | None:
    """The `registry/` folder shipped beside an editable install, or `GENZOO_REGISTRY`."""
    configured = os.environ.get("GENZOO_REGISTRY")
    if configured:
        return Path(configured).expanduser()
    candidate = Path(__file__).resolve().parents[4] / "registry"
    return candidate if candidate.is_dir() else None


def hub_location() -> str | Path | None:
    """The configured hub: `GENZOO_HUB` (URL or folder), else `HF_ENDPOINT`, else the bundled registry."""
    configured = os.environ.get("GENZOO_HUB") or os.environ.get("HF_ENDPOINT")
    if configured:
        return configured if "://" in configured else Path(configured).expanduser()
    return bundled_registry()


def _repo_folder(root: Path, repo_id: str) -> Path | None:
    """A repo in a local hub folder lives at `root/org/name` or, for the bundled registry, `root/name`."""
    for candidate in (root / repo_id, root / repo_id.split("/")[-1]):
        if (candidate / "config.json").is_file():
            return candidate
    return None


def find_bundled_repo(name: str) -> Path | None:
    """The bundled registry folder of a pretrained name, even when its plugin is not installed."""
    root = bundled_registry()
    return _repo_folder(root, name) if root else None


def _verify(path: Path, expected: str) -> bool:
    return path.is_file() and sha256_file(path) == expected


def _fetch_local(root: Path, spec: PretrainedSpec) -> Path:
    folder = _repo_folder(root, spec.repo_id)
    if folder is None:
        raise GenzooError(f"{spec.name}: repo {spec.repo_id!r} not found in hub folder {root}")
    for name, digest in spec.files.items():
        if not _verify(folder / name, digest):
            raise CheckpointError(f"{folder / name}: sha256 does not match the pinned card of {spec.name!r}; refusing to load it")
    return folder


def _fetch_remote(endpoint: str, spec: PretrainedSpec) -> Path:
    from huggingface_hub import hf_hub_download

    folder: Path | None = None
    for name, digest in spec.files.items():
        for attempt in ("cached", "refetch"):
            local = Path(
                hf_hub_download(
                    spec.repo_id, name, revision=spec.revision, endpoint=endpoint, force_download=attempt == "refetch"
                )
            )
            if _verify(local, digest):
                break
        else:
            raise CheckpointError(f"{spec.repo_id}/{name}@{spec.revision}: sha256 still wrong after re-fetching from {endpoint}")
        folder = local.parent
    assert folder is not None
    return folder


def fetch_pretrained(spec: PretrainedSpec) -> Path:
    """Return a local folder holding the card's files, every one verified against its sha256."""
    location = hub_location()
    if location is None:
        raise GenzooError(f"{spec.name}: no hub configured and no bundled registry; set GENZOO_HUB")
    if isinstance(location, Path):
        return _fetch_local(location, spec)
    return _fetch_remote(location, spec)
