"""An on-disk cache of the specs each plugin registered, so unchanged plugins are not imported again.

`genzoo list` and `--help` need specs, not code; a plugin that takes seconds to import would
otherwise slow every command. An entry is keyed by what could change a plugin's answer: its entry
point, its distribution's name and version, a hash of its own source files (editable installs
change without a version bump), and genzoo's version, hook API and spec code. Only plugins that
loaded (or were found incompatible) are cached: a failed plugin is imported again next time, so
fixing its environment is picked up at once. A broken cache file is ignored and rewritten.

The cache lives in `$GENZOO_CACHE` (default `$XDG_CACHE_HOME/genzoo`, else `~/.cache/genzoo`);
`GENZOO_CACHE=off` disables it.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

CACHE_FILE = "plugin-specs.json"
FORMAT = 1
MAX_HASHED_BYTES = 4 << 20  # larger files count by size and mtime only


def cache_dir() -> Path | None:
    """Where the cache lives, or None when `GENZOO_CACHE=off`."""
    value = os.environ.get("GENZOO_CACHE")
    if value is not None:
        return None if value.strip().lower() in ("off", "0", "") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "genzoo"


def _file_digest(path: Path, digest) -> None:
    stat = path.stat()
    digest.update(f"{path}\0{stat.st_size}\0".encode())
    if stat.st_size <= MAX_HASHED_BYTES:
        digest.update(path.read_bytes())
    else:
        digest.update(str(stat.st_mtime_ns).encode())


def _package_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def source_fingerprint(module: str) -> str | None:
    """A hash of the files of the top-level package that holds `module`, found without importing it.

    None when the module cannot be located on disk (a zip, a custom importer): never cached then.
    """
    spec = PathFinder.find_spec(module.partition(".")[0])
    if spec is None:
        return None
    digest = hashlib.sha256()
    if spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            for path in _package_files(Path(location)):
                _file_digest(path, digest)
    elif spec.origin and Path(spec.origin).is_file():
        _file_digest(Path(spec.origin), digest)
    else:
        return None
    return digest.hexdigest()


def core_fingerprint() -> str:
    """Changes whenever genzoo's own code changes (sizes and mtimes: cheap, and enough for an editable core)."""
    import genzoo

    root = Path(genzoo.__file__).parent
    digest = hashlib.sha256(f"{genzoo.__version__}".encode())
    for path in _package_files(root):
        if path.suffix == ".py":
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


class SpecCache:
    """Plugin name -> {"key": ..., "state", "error", "specs": {hook: [spec as JSON]}}, read once, written atomically."""

    def __init__(self, directory: Path | None):
        self.path = directory / CACHE_FILE if directory is not None else None
        self.core = core_fingerprint() if self.path is not None else ""
        self.entries: dict[str, Any] = self._read()
        self.changed = False

    def _read(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == FORMAT and data.get("core") == self.core and isinstance(data.get("plugins"), dict):
                return data["plugins"]
        except (OSError, ValueError, AttributeError):
            pass  # missing or damaged: start afresh and rewrite it
        return {}

    def get(self, name: str, key: list[str]) -> dict[str, Any] | None:
        entry = self.entries.get(name)
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry
        return None

    def put(self, name: str, key: list[str], state: str, error: str, specs: dict[str, list[dict]]) -> None:
        self.entries[name] = {"key": key, "state": state, "error": error, "specs": specs}
        self.changed = True

    def save(self) -> None:
        """Write the cache if anything changed; a read-only or full disk only costs the speed-up."""
        if self.path is None or not self.changed:
            return
        from genzoo.atomic import write_text

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text(self.path, json.dumps({"format": FORMAT, "core": self.core, "plugins": self.entries}))
        except OSError:
            pass
