"""Resolve a pretrained card to a verified local folder.

A hub is either a URL of a Hub-compatible server (huggingface.co or `genzoo hub serve`), used
through `huggingface_hub` and its cache, or a local folder of repo folders such as the bundled
`registry/`. A card is looked for in order: `GENZOO_HUB` (URL or folder) when set, the card's own
hub (huggingface.co, which a user's `HF_ENDPOINT` replaces, or a third-party family's hub), the
download cache when that hub cannot be reached, and the bundled registry of a development
checkout; a source without the card is skipped, so cards of several hubs resolve side by side.
Every file is checked against the sha256 pinned in the card before use. Hub URLs pass
`genzoo.hub.guard` first: plain HTTP to another machine is refused, and so is any response header
that would make huggingface_hub's cache write outside itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from genzoo.atomic import sha256_file
from genzoo.errors import CheckpointError, GenzooError
from genzoo.hub.guard import HostileHubError, check_endpoint, guard
from genzoo.specs import DEFAULT_HUB, PretrainedSpec


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
    return _location(configured) if configured else bundled_registry()


def _location(value: str) -> str | Path:
    """A hub setting as what it names: a checked URL, or a folder of repos."""
    return check_endpoint(value) if "://" in value else Path(value).expanduser()


def _repo_folder(root: Path, repo_id: str) -> Path | None:
    """A repo in a local hub folder lives at `root/org/name` or, for the bundled registry, `root/name`."""
    for candidate in (root / repo_id, root / repo_id.split("/")[-1]):
        if (candidate / "config.json").is_file():
            return candidate
    return None


def find_bundled_repo(name: str) -> Path | None:
    """The bundled registry folder of a pretrained name, even when its plugin is not installed.

    Only a plain name is looked up: a path ('/tmp/ckpt', '../x') joined to the registry would find any
    checkpoint folder on disk and call it a bundled model whose plugin is missing."""
    root = bundled_registry()
    plain = name and "/" not in name and "\\" not in name and name not in (".", "..")
    return _repo_folder(root, name) if root and plain else None


class _Missing(Exception):
    """This source has no verified copy of the card's files; the next source is tried."""


def _verify(path: Path, expected: str) -> bool:
    return path.is_file() and sha256_file(path) == expected


def _fetch_local(root: Path, spec: PretrainedSpec, label: str) -> Path:
    folder = _repo_folder(root, spec.repo_id)
    if folder is None:
        raise _Missing(f"{label} has no {spec.repo_id}")
    for name, digest in spec.files.items():
        if not _verify(folder / name, digest):
            raise CheckpointError(f"{folder / name}: sha256 does not match the pinned card of {spec.name!r}; refusing to load it")
    return folder


def reachable(endpoint: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to the hub opens (always True behind a proxy, which we cannot probe).

    huggingface_hub retries a hub that refuses connections for about 23 s, logging each try,
    before it falls back to its cache; one quick probe lets a dead hub fail (or use the cache) at once.
    """
    import socket
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(endpoint)
    if parts.scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(parts.hostname or ""):
        return True
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname, port), timeout):
            return True
    except OSError:
        return False


def _download(spec: PretrainedSpec, filename: str, endpoint: str, *, force: bool = False,
              cache_only: bool = False) -> Path:
    """One file of a card through huggingface_hub's cache (honours HF_HUB_OFFLINE, HF_HOME, tokens)."""
    from httpx2 import HTTPError
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    repo_id, revision = spec.repo_id, spec.revision
    try:
        path = hf_hub_download(repo_id, filename, revision=revision, endpoint=guard(endpoint), force_download=force,
                               local_files_only=cache_only)
        return Path(path)
    except LocalEntryNotFoundError:
        why = "HF_HUB_OFFLINE is set" if constants.HF_HUB_OFFLINE else f"{endpoint} cannot be reached"
        raise _Missing(f"{why} and the cache has no {repo_id}/{filename}") from None
    except (HfHubHTTPError, HTTPError) as error:
        reason = " ".join(str(error).split()).partition(" (Request ID")[0][:160]
        raise _Missing(f"{endpoint} has no {repo_id}/{filename}@{revision or 'main'} ({reason})") from None
    except OSError as error:  # the local cache folder: not a reason to look elsewhere
        raise GenzooError(f"{repo_id}/{filename}: cannot write the download cache ({error})") from None


def _fetch_remote(endpoint: str, spec: PretrainedSpec) -> Path:
    """The card's files from a hub, or from the cache when the hub cannot be reached or lacks them.

    A hub that cannot be reached is not waited on: the cache answers at once. A hub that is up
    but lacks the repo (an HF_ENDPOINT meant for something else) is a miss unless the cache has
    the files; a miss makes the caller try its next source.
    """
    from huggingface_hub import constants

    cache_only = constants.HF_HUB_OFFLINE or not reachable(endpoint)
    try:
        return _fetch_files(endpoint, spec, cache_only=cache_only)
    except _Missing as missing:
        if cache_only:
            raise
        hub_miss = missing
    try:
        return _fetch_files(endpoint, spec, cache_only=True)
    except _Missing:
        raise hub_miss from None


def _fetch_files(endpoint: str, spec: PretrainedSpec, *, cache_only: bool) -> Path:
    """Download every pinned file; a digest mismatch (corrupted cache, tampered mirror) re-fetches once."""
    folder: Path | None = None
    for name, digest in spec.files.items():
        local = _download(spec, name, endpoint, cache_only=cache_only)
        if not _verify(local, digest) and not cache_only:
            local = _download(spec, name, endpoint, force=True)
        if not _verify(local, digest):
            where = f"in the cache (the hub {endpoint} cannot be reached)" if cache_only else \
                f"after re-fetching from {endpoint}"
            raise CheckpointError(
                f"{spec.repo_id}/{name}@{spec.revision or 'main'}: sha256 still wrong {where}; refusing to load it"
            )
        folder = local.parent
    if folder is None:
        raise GenzooError(f"{spec.name}: the card pins no files")
    return folder


def parse_hf_uri(uri: str) -> tuple[str, str | None]:
    """'hf://org/repo@rev' -> ('org/repo', 'rev'); the revision is optional."""
    repo_id, _, revision = uri.removeprefix("hf://").partition("@")
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise GenzooError(f"{uri!r}: expected hf://org/repo[@revision]")
    return repo_id, revision or None


def fetch_repo(uri: str, revision: str | None = None) -> Path:
    """Snapshot any hub repo named by hf://org/repo@rev; its SHA256SUMS is verified at load time."""
    from httpx2 import HTTPError
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    repo_id, pinned = parse_hf_uri(uri)
    location = hub_location()
    if isinstance(location, Path) or location is None:
        folder = _repo_folder(location, repo_id) if location else None
        if folder is None:
            raise GenzooError(f"{uri}: no hub URL configured (set GENZOO_HUB or HF_ENDPOINT) and no such repo in {location}")
        return folder
    cache_only = not constants.HF_HUB_OFFLINE and not reachable(location)
    try:
        return Path(snapshot_download(repo_id, revision=revision or pinned, endpoint=guard(location),
                                      local_files_only=cache_only))
    except LocalEntryNotFoundError:
        raise GenzooError(
            f"{uri}: not in the local cache and the hub {location} cannot be reached; on a machine that can reach "
            f"it run `genzoo pull {uri} --to DIR`, copy DIR here and set GENZOO_HUB=DIR"
        ) from None
    except (HfHubHTTPError, HTTPError, OSError) as error:
        raise GenzooError(f"{uri}: {' '.join(str(error).split())[:300]}") from None
    except (TypeError, KeyError, ValueError) as error:  # huggingface_hub indexes the JSON it is sent unchecked
        raise HostileHubError(f"{uri}: the hub {location} answered a malformed repo listing "
                              f"({type(error).__name__}: {' '.join(str(error).split())[:120]})") from None


def card_hub(spec: PretrainedSpec) -> str:
    """The hub a card names; a user's `HF_ENDPOINT` (a mirror) replaces huggingface.co only."""
    if spec.hub == DEFAULT_HUB:
        return (os.environ.get("HF_ENDPOINT") or DEFAULT_HUB).rstrip("/")
    return spec.hub


def _sources(spec: PretrainedSpec) -> list[tuple[str, str | Path]]:
    """Where a card's files are looked for, in order: GENZOO_HUB, the card's hub, the bundled registry.

    The card's hub includes huggingface_hub's cache, which answers when the hub cannot be reached.
    """
    sources: list[tuple[str, str | Path]] = []
    explicit = os.environ.get("GENZOO_HUB")
    if explicit:
        sources.append((f"GENZOO_HUB={explicit}", _location(explicit)))
    if not sources or sources[0][1] != card_hub(spec):
        sources.append((card_hub(spec), card_hub(spec)))
    bundled = bundled_registry()
    if bundled is not None:
        sources.append((f"the bundled registry {bundled}", bundled))
    return sources


def fetch_pretrained(spec: PretrainedSpec) -> Path:
    """Return a local folder holding the card's files, every one verified against its sha256.

    Each source in `_sources` order is tried until one has the files; a source that has them with
    a wrong digest is an error, never a reason to look further. When none has them, one line says
    where the weights live and how to bring them to this machine.
    """
    misses = []
    for label, where in _sources(spec):
        try:
            return _fetch_local(where, spec, label) if isinstance(where, Path) else _fetch_remote(where, spec)
        except _Missing as missing:
            misses.append(str(missing))
    home = f"{spec.hub}/{spec.repo_id}" + (f" (revision {spec.revision})" if spec.revision else "")
    raise GenzooError(
        f"{spec.name}: the weights live at {home}, and {'; '.join(misses)}; on a machine that can reach that hub "
        f"run `genzoo pull {spec.name} --to DIR`, copy DIR here and set GENZOO_HUB=DIR"
    )
