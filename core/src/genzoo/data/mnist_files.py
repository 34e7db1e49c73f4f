"""The MNIST IDX files on disk: found in `data_dir` or `$GENZOO_DATA`, verified by digest, downloaded on request.

Files are looked up directly in the folder or in its `mnist/` subfolder, gzip-compressed or raw. The
md5 of the *uncompressed* bytes is checked, so re-compressed copies verify too. This module needs
no torch, so `genzoo datasets` can say whether the files are there without loading anything.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np

from genzoo.atomic import write_bytes
from genzoo.errors import GenzooError

# name -> md5 of the uncompressed IDX bytes (the official values).
FILES = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://yann.lecun.com/exdb/mnist/")


class MnistMissingError(GenzooError):
    """The IDX files are not where genzoo looked."""


def _candidates(data_dir: str | Path | None) -> list[Path]:
    root = data_dir or os.environ.get("GENZOO_DATA")
    if not root:
        return []
    root = Path(root).expanduser()
    return [root / "mnist", root]


def find_files(data_dir: str | Path | None = None) -> Path:
    """The folder that holds all four IDX files, or a MnistMissingError saying where to put them."""
    candidates = _candidates(data_dir)
    for folder in candidates:
        if all(locate(folder, name) for name in FILES):
            return folder
    where = " or ".join(str(c) for c in candidates) or "nowhere (no --data-dir and GENZOO_DATA is unset)"
    raise MnistMissingError(
        f"MNIST IDX files not found in {where}: put {', '.join(n + '[.gz]' for n in FILES)} in a folder and pass "
        "--data-dir DIR (or set GENZOO_DATA=DIR), or fetch them with genzoo.data.mnist_files.download_files(DIR)"
    )


def locate(folder: Path, name: str) -> Path | None:
    for path in (folder / f"{name}.gz", folder / name):
        if path.is_file():
            return path
    return None


@functools.lru_cache(maxsize=8)
def read_idx(path: Path, md5: str) -> np.ndarray:
    """Parse one IDX file (gzip or raw) after checking the md5 of its uncompressed bytes."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    if hashlib.md5(data).hexdigest() != md5:
        raise GenzooError(f"{path}: md5 of the uncompressed bytes is not {md5}; the file is damaged or not MNIST")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def missing() -> str | None:
    """Why MNIST cannot be loaded with default options (the files are not found), or None."""
    try:
        find_files()
    except MnistMissingError as error:
        return str(error)
    return None


def download_files(folder: str | Path) -> Path:
    """Fetch the four gzip files from the standard mirrors into `folder` (networked machines only)."""
    import urllib.request

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, md5 in FILES.items():
        path = folder / f"{name}.gz"
        if path.is_file():
            continue
        errors = []
        for mirror in MIRRORS:
            try:
                with urllib.request.urlopen(mirror + path.name, timeout=60) as response:
                    payload = response.read()
            except OSError as error:
                errors.append(f"{mirror}: {error}")
                continue
            if hashlib.md5(gzip.decompress(payload)).hexdigest() == md5:
                write_bytes(path, payload)
                break
            errors.append(f"{mirror}: md5 mismatch")
        else:
            raise GenzooError(f"could not download {path.name}: {'; '.join(errors)}")
    return folder
