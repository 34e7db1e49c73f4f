"""Advisory locks for the store: one server per storage root, one writer per repo.

``flock`` locks vanish with the process that held them, so a SIGKILLed server never leaves a
stale lock behind. (Atomic replace, directory fsync and temp names are genzoo.atomic's; the store's
crash safety rests on them: a file is complete before it gets its final name, and a rename survives
a crash once its directory is fsynced.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


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
    """Take a non-blocking exclusive ``flock`` held until the returned file is closed or collected.

    The holder's pid is written into the file, so whoever finds it taken can say who holds it.
    Raises :class:`LockHeld` (with that pid, when readable) if another process holds it.
    """
    holder = open(lock_path, "a+b")
    try:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder.seek(0)
        text = holder.read(32).decode("ascii", "replace").strip()
        holder.close()
        raise LockHeld(int(text) if text.isdigit() else None) from None
    holder.truncate(0)
    holder.write(f"{os.getpid()}\n".encode())
    holder.flush()
    return holder


class LockHeld(BlockingIOError):
    """Another process holds the lock; ``pid`` is the one it recorded (None if unknown)."""

    def __init__(self, pid: int | None) -> None:
        super().__init__(f"held by pid {pid}" if pid else "held by another process")
        self.pid = pid
