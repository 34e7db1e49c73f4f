"""Atomic file and folder writes: a process that dies mid-write never leaves a torn file behind.

Files are written to a temporary sibling, flushed and fsynced, then renamed over the target (an
atomic operation on POSIX and Windows). Folders are built in a staging sibling and swapped in.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make renames and creations inside `path` durable (Windows cannot open directories: skipped)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


TEMP_SUFFIX = ".tmp"


def temp_name(directory: Path, stem: str = "") -> Path:
    """A fresh hidden name in `directory` ending in .tmp, which crash recovery may delete as garbage."""
    return directory / f".{stem}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def write_all(fd: int, data: bytes | memoryview) -> None:
    """os.write until every byte is written (a single call may write fewer)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_bytes(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace `path` with `data` so readers see the old or the new content, never a mix.

    `mode` is applied through the umask, like any new file (tempfile's 0600 would surprise users).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path.parent, path.name + ".")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        write_all(fd, data)
        os.fsync(fd)
        os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces `target` whole, on error it is removed.

    The old folder is renamed aside before the new one is renamed in, so at every instant the
    complete old or the complete new folder exists on disk. Entries of the old folder that the new
    one lacks (logs, sample grids) are then moved into the new folder.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        yield staging
        for name in os.listdir(staging):
            if (staging / name).is_file():
                with open(staging / name, "rb") as handle:
                    os.fsync(handle.fileno())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not target.exists():
        os.rename(staging, target)
        fsync_dir(target.parent)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent)) / target.name
    os.rename(target, retired)
    os.rename(staging, target)
    fsync_dir(target.parent)
    for name in os.listdir(retired):
        if not (target / name).exists():
            os.rename(retired / name, target / name)
    shutil.rmtree(retired.parent, ignore_errors=True)


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
