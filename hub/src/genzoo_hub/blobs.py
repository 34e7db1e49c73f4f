"""Content-addressed blob store: ``blobs/<sha256[:2]>/<sha256>``, written once, verified on read.

Why content addressing: identical files across commits and repos are stored once, a blob's name
is its own checksum (so damage is detectable without any side table), and file paths supplied by
clients never become file-system paths.

Verification on read is cached per blob by ``(device, inode, size, mtime, ctime)``. Any write to
the file, even one that restores size and mtime afterwards, changes ``ctime``, which user space
cannot set; a replaced file has a new inode. So a cached "intact" verdict is re-checked whenever
the file could have changed, and full downloads keep static-file throughput. Silent media decay
that bypasses the file system is what :func:`genzoo_hub.check.fsck` (full re-hash) is for.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from genzoo.atomic import fsync_dir, temp_name, write_all

from .errors import DataCorrupted

CHUNK_SIZE = 1 << 20
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class FileEntry:
    """What a commit records for one file: where its bytes live and the ids clients compare."""

    sha256: str
    size: int
    oid: str  # git blob id: sha1(b"blob <size>\0" + content), the Hub's "oid"/ETag of regular files

    def to_json(self) -> dict:
        return {"sha256": self.sha256, "size": self.size, "oid": self.oid}

    @classmethod
    def from_json(cls, data: dict) -> FileEntry:
        return cls(sha256=data["sha256"], size=data["size"], oid=data["oid"])


def _hash_fd(fd: int) -> str:
    digest = hashlib.sha256()
    offset = 0
    while chunk := os.pread(fd, CHUNK_SIZE, offset):
        digest.update(chunk)
        offset += len(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class PendingBlob:
    """A complete, fsynced blob still in ``tmp/``: not visible to anyone until installed."""

    path: Path
    entry: FileEntry


class BlobWriter:
    """Bytes streamed to a temp file and hashed on the way (sha256 as they arrive).

    The git blob id needs the size before the content, which a stream only knows at the end, so
    :meth:`finish` computes it in a second pass over the file (from the page cache). Used as a
    context manager, the temp file is removed if anything fails before ``finish``.
    """

    def __init__(self, tmp_dir: Path) -> None:
        self.path = temp_name(tmp_dir)
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        self._sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        assert self._fd is not None, "write after finish"
        write_all(self._fd, data)
        self._sha256.update(data)
        self.size += len(data)

    def finish(self) -> PendingBlob:
        assert self._fd is not None, "finish called twice"
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        sha1 = hashlib.sha1(b"blob %d\0" % self.size)
        with open(self.path, "rb", buffering=0) as f:
            while chunk := f.read(CHUNK_SIZE):
                sha1.update(chunk)
        return PendingBlob(self.path, FileEntry(sha256=self._sha256.hexdigest(), size=self.size, oid=sha1.hexdigest()))

    def abort(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.abort()  # a no-op after finish()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.directory = root / "blobs"
        self.tmp_dir = root / "tmp"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        self._verdicts: dict[str, tuple[tuple[int, ...], bool]] = {}
        # Striped locks: concurrent first reads of one big blob hash it once, not once per reader.
        self._stripes = [threading.Lock() for _ in range(64)]

    def path(self, sha256: str) -> Path:
        return self.directory / sha256[:2] / sha256

    # -- writing -------------------------------------------------------------------------------

    def writer(self) -> BlobWriter:
        """A new blob in ``tmp/``: stream bytes into it, then :meth:`install` or :meth:`discard` it."""
        return BlobWriter(self.tmp_dir)

    def put_bytes(self, data: bytes) -> FileEntry:
        with self.writer() as writer:
            writer.write(data)
            return self.install(writer.finish())

    def put_file(self, source: Path) -> FileEntry:
        """Copy ``source`` into the store in 1 MiB chunks (no whole-file buffering)."""
        size = source.stat().st_size
        with self.writer() as writer, open(source, "rb") as src:
            while chunk := src.read(CHUNK_SIZE):
                writer.write(chunk)
            pending = writer.finish()
        if pending.entry.size != size:
            self.discard(pending)
            raise OSError(f"{source} changed size while it was being stored")
        return self.install(pending)

    def install(self, pending: PendingBlob) -> FileEntry:
        """Give a finished temp blob its address (or drop it if an intact copy is already there)."""
        if self._is_intact(pending.entry):
            pending.path.unlink()
        else:
            self._install(pending.path, pending.entry.sha256)
        return pending.entry

    @staticmethod
    def discard(pending: PendingBlob) -> None:
        pending.path.unlink(missing_ok=True)

    def _install(self, tmp: Path, sha256: str) -> None:
        """Move a complete, fsynced temp file to its address (also repairs a corrupted blob)."""
        target = self.path(sha256)
        if not target.parent.is_dir():
            target.parent.mkdir(exist_ok=True)
            fsync_dir(self.directory)
        os.replace(tmp, target)
        fsync_dir(target.parent)

    def _is_intact(self, entry: FileEntry) -> bool:
        try:
            with open(self.path(entry.sha256), "rb", buffering=0) as f:
                return self._check(f, entry)
        except FileNotFoundError:
            return False

    # -- reading -------------------------------------------------------------------------------

    def open(self, entry: FileEntry) -> BinaryIO:
        """Open a blob for serving after checking it; the caller owns (and closes) the file.

        Checking the descriptor that will be served (not the path) closes the race with a
        concurrent repair that renames a new file over the old one.
        """
        try:
            f = open(self.path(entry.sha256), "rb", buffering=0)
        except FileNotFoundError:
            raise DataCorrupted(f"blob {entry.sha256} is missing from the server's storage") from None
        try:
            intact = self._check(f, entry)
        except BaseException:
            f.close()
            raise
        if not intact:
            f.close()
            raise DataCorrupted(
                f"blob {entry.sha256} failed its integrity check on the server; refusing to serve it "
                "(re-upload the file or run fsck)"
            )
        return f

    def _check(self, f: BinaryIO, entry: FileEntry) -> bool:
        st = os.fstat(f.fileno())
        if st.st_size != entry.size:
            return False
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        verdict = self._verdicts.get(entry.sha256)
        if verdict is not None and verdict[0] == key:
            return verdict[1]
        with self._stripes[int(entry.sha256[:4], 16) % len(self._stripes)]:
            verdict = self._verdicts.get(entry.sha256)
            if verdict is not None and verdict[0] == key:
                return verdict[1]
            intact = _hash_fd(f.fileno()) == entry.sha256
            self._verdicts[entry.sha256] = (key, intact)
            return intact

    # -- maintenance ---------------------------------------------------------------------------

    def rehash(self, sha256: str) -> bool | None:
        """Full re-hash ignoring the cache: True if intact, False if corrupted, None if missing."""
        try:
            with open(self.path(sha256), "rb", buffering=0) as f:
                return _hash_fd(f.fileno()) == sha256
        except FileNotFoundError:
            return None

    def iter_stored(self) -> Iterator[str]:
        """The sha256 of every stored blob (other names in the shards are not blobs: skipped)."""
        for shard in sorted(self.directory.iterdir()):
            if shard.is_dir():
                yield from sorted(p.name for p in shard.iterdir() if _SHA256_RE.fullmatch(p.name))

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)
        self._verdicts.pop(sha256, None)

    def clean_tmp(self) -> None:
        """Remove temp files of uploads that a crash interrupted (only safe with no writer running)."""
        for leftover in self.tmp_dir.iterdir():
            leftover.unlink(missing_ok=True)
