"""Durable file-system primitives: atomic replace, directory fsync and advisory locks.

The storage layer's crash safety rests on three POSIX guarantees used here: a file is complete
before anyone can see its final name (write to a temp name, fsync, rename), a rename survives a
crash once its directory is fsynced, and ``flock`` locks vanish with the process that held them
(so a SIGKILLed server never leaves a stale lock behind).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_SUFFIX = ".tmp"


def fsync_dir(directory: Path) -> None:
    """Make renames and creations inside ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(directory: Path, stem: str = "") -> Path:
    """A fresh hidden name in ``directory`` that recovery recognises as garbage."""
    return directory / f".{stem}{secrets.token_hex(8)}{TEMP_SUFFIX}"


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def atomic_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` so that readers see either the old or the new content."""
    tmp = temp_name(path.parent, path.name + ".")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        write_all(fd, data)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


@contextlib.contextmanager
def locked(lock_path: Path, *, blocking: bool = True) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` (works across threads and processes).

    Raises ``BlockingIOError`` when ``blocking`` is false and another holder exists.
    """
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def hold_lock(lock_path: Path) -> BinaryIO:
    """Take a non-blocking exclusive ``flock`` held until the returned file is closed or collected."""
    holder = open(lock_path, "ab")
    try:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder.close()
        raise
    return holder
