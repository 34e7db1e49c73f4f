"""Atomic file and folder writes: a process that dies mid-write never leaves a torn file behind.

Files are written to a temporary sibling, flushed and fsynced, then renamed over the target (an
atomic operation on POSIX and Windows). Folders come in two kinds, each safe against a kill at any
instruction (tests/core/test_atomic.py kills a save before every one of its file-system calls):

- `staged_folder`: a checkpoint folder that must stay a plain folder (it is pushed, committed,
  copied) and may hold other things (a run's train/). Its files are staged in a sibling, then
  renamed in one by one, the manifest last; a marker lets the next writer or reader finish an
  interrupted replacement.
- `versioned_folder`: a folder only genzoo reads (the training state). Each save is a new version
  folder, and the folder's name is a symlink repointed to it by one atomic rename.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import secrets
import shutil
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


def require_parent_folder(path: str | Path) -> Path:
    """Refuse, in one line, an output path whose folder does not exist.

    `write_bytes` creates missing folders for genzoo's own layouts (a run's samples/); a path
    the user typed (`-o`) is checked first instead, so a typo does not grow a new directory tree,
    and before minutes of sampling rather than after.
    """
    from genzoo.errors import GenzooError

    path = Path(path)
    if not path.parent.is_dir():
        raise GenzooError(f"{path}: the folder {path.parent} does not exist; create it first or choose another path")
    return path


COMPLETE_MARKER = ".complete"


@contextlib.contextmanager
def staged_folder(target: Path, *, last: str | None = None) -> Iterator[Path]:
    """Yield a staging folder for files; on success they replace those of `target`, on error it is removed.

    `target` itself is never renamed or emptied, so whatever else lives in it (a training run's
    train/ folder, logs, notes) never moves. The staging folder is a hidden sibling; when it is
    complete a marker listing its files is written into it, then the files are renamed into
    `target` one by one (`last`, e.g. a checksum manifest, at the end, so a reader that checks
    digests never accepts a half-replaced set). A crash during those renames leaves the marked
    staging folder, which `finish_staged(target)` rolls forward: the next save, and any reader
    that calls it, completes the replacement. A first save renames the whole folder into place.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    finish_staged(target, discard_incomplete=True)
    staging = target.parent / f"{_staging_prefix(target)}{secrets.token_hex(8)}"
    staging.mkdir()  # 0777 through the umask: a first save renames it into place (mkdtemp's 0700 would stay)
    try:
        yield staging
        names = sorted(os.listdir(staging), key=lambda name: (name == last, name))
        for name in names:
            if not (staging / name).is_file() or (staging / name).is_symlink():
                raise ValueError(f"{staging / name}: staged_folder stages regular files only")
            _fsync_file(staging / name)
        if not target.exists():
            fsync_dir(staging)
            os.rename(staging, target)
            fsync_dir(target.parent)
            return
        write_text(staging / COMPLETE_MARKER, "".join(f"{name}\n" for name in names))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _roll_forward(staging, target)


def finish_staged(target: Path, *, discard_incomplete: bool = False) -> None:
    """Complete replacements of `target` that a crash interrupted (idempotent, safe to race).

    Marked staging folders are rolled forward; unmarked ones were still being written, and are
    removed only by their target's next writer (`discard_incomplete`), never by a reader.
    """
    target = Path(target)
    if not target.parent.is_dir():
        return
    prefix = _staging_prefix(target)
    for staging in sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix)):
        if (staging / COMPLETE_MARKER).is_file():
            _roll_forward(staging, target)
        elif discard_incomplete:
            shutil.rmtree(staging, ignore_errors=True)


def _staging_prefix(target: Path) -> str:
    return f".{target.name}.staging-"


def _roll_forward(staging: Path, target: Path) -> None:
    try:
        names = (staging / COMPLETE_MARKER).read_text(encoding="utf-8").split()
    except FileNotFoundError:  # another process finished it
        return
    for name in names:
        with contextlib.suppress(FileNotFoundError):  # moved before a crash, or by another process
            os.replace(staging / name, target / name)
    fsync_dir(target)
    shutil.rmtree(staging, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def versioned_folder(target: Path) -> Iterator[Path]:
    """Yield a new version folder; on success the symlink `target` is atomically repointed to it.

        target -> .NAME.v00000013      (a relative symlink, so the parent folder can be moved)

    Readers open `target/...` as a plain folder and see one complete version at every instant:
    the pointer moves with a single rename, after the new version is fsynced, and older versions
    are deleted only after it has moved. An interrupted save leaves an unreferenced version that
    the next save deletes. A `target` that is still a real folder (written before versions) is
    exchanged for the symlink atomically where the OS can (Linux renameat2), else renamed aside
    first.
    """
    target = Path(target)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    version = parent / f".{target.name}.v{_next_version(target):08d}"
    version.mkdir()
    try:
        yield version
        for name in os.listdir(version):
            if (version / name).is_file():
                _fsync_file(version / name)
        fsync_dir(version)
    except BaseException:
        shutil.rmtree(version, ignore_errors=True)
        raise
    link = temp_name(parent, f"{target.name}.link-")
    os.symlink(version.name, link)
    if target.is_dir() and not target.is_symlink():
        _swap_in_link(link, target)
    else:
        os.replace(link, target)
    fsync_dir(parent)
    for old in _versions(target):
        if old != version:
            shutil.rmtree(old, ignore_errors=True)
    for stray in parent.glob(f".{glob.escape(target.name)}.link-*{TEMP_SUFFIX}"):  # left by a crash before the rename
        if stray.is_symlink():
            stray.unlink()
        else:
            shutil.rmtree(stray, ignore_errors=True)


def _versions(target: Path) -> list[Path]:
    prefix = f".{target.name}.v"
    return sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix) and p.name[len(prefix):].isdigit())


def _next_version(target: Path) -> int:
    versions = _versions(target)
    return int(versions[-1].name.rsplit(".v", 1)[1]) + 1 if versions else 1


def _swap_in_link(link: Path, folder: Path) -> None:
    """Replace the real folder `folder` by the symlink `link`; the old folder is then deleted."""
    try:
        exchange(link, folder)
    except OSError:
        aside = folder.parent / f".{folder.name}.v{0:08d}"  # collected with the other old versions
        os.rename(folder, aside)
        os.replace(link, folder)
        return
    shutil.rmtree(link)  # the name `link` now holds the old folder


def exchange(a: Path, b: Path) -> None:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); OSError where unsupported."""
    import ctypes

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(a))
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a))


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
