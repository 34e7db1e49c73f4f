"""Directory views of a commit's flat ``path -> FileEntry`` mapping, as the Hub's tree API shows them.

Commits store a flat mapping (simple to diff and to write atomically); clients expect folders with
git tree ids. Folder ids are computed like git does (sorted ``<mode> <name>\\0<sha1>`` entries), so
they change exactly when something below them changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .blobs import FileEntry

_FILE_MODE, _DIR_MODE = "100644", "40000"


def _depth(directory: str) -> int:
    return directory.count("/") + 1 if directory else 0


def directory_oids(files: Mapping[str, FileEntry]) -> dict[str, str]:
    """Git tree id of every directory ("" is the root)."""
    children: dict[str, dict[str, tuple[str, str]]] = {"": {}}
    for path, entry in files.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            children.setdefault("/".join(parts[:depth]), {})
        children["/".join(parts[:-1])][parts[-1]] = (_FILE_MODE, entry.oid)
    oids: dict[str, str] = {}
    for directory in sorted(children, key=_depth, reverse=True):  # children before parents
        entries = sorted(
            children[directory].items(),
            key=lambda item: item[0].encode() + (b"/" if item[1][0] == _DIR_MODE else b""),
        )
        body = b"".join(f"{mode} {name}".encode() + b"\0" + bytes.fromhex(oid) for name, (mode, oid) in entries)
        oids[directory] = hashlib.sha1(b"tree %d\0" % len(body) + body).hexdigest()
        if directory:
            parent, _, name = directory.rpartition("/")
            children[parent][name] = (_DIR_MODE, oids[directory])
    return oids


def list_tree(files: Mapping[str, FileEntry], directory: str, *, recursive: bool) -> list[dict] | None:
    """Hub ``/tree`` entries below ``directory`` ("" = root), or None if it is not a directory."""
    oids = directory_oids(files)
    if directory not in oids:
        return None
    prefix = f"{directory}/" if directory else ""
    entries = []
    for path in sorted(oids.keys() | files.keys()):
        if not path or not path.startswith(prefix):
            continue
        if not recursive and "/" in path[len(prefix) :]:
            continue
        if path in files:
            entries.append({"type": "file", "oid": files[path].oid, "size": files[path].size, "path": path})
        else:
            entries.append({"type": "directory", "oid": oids[path], "size": 0, "path": path})
    return entries
