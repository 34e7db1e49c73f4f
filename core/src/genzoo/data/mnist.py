"""MNIST from IDX files on disk (never fetched at run time), verified by digest.

Files are looked up in `data_dir` (or `$GENZOO_DATA`), directly or in its `mnist/` subfolder,
gzip-compressed or raw. The md5 of the *uncompressed* bytes is checked, so re-compressed copies
verify too. `download` fetches the standard files on a machine with a network; nothing calls it
unless asked (`mnist(..., download=True)`).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import torch
from pydantic import validate_call

from genzoo.atomic import write_bytes
from genzoo.data.base import ImageDataset, Split, View
from genzoo.errors import GenzooError

# name -> md5 of the uncompressed IDX bytes (the official values).
FILES = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://yann.lecun.com/exdb/mnist/")
NUM_LEVELS = 256


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
        if all(_locate(folder, name) for name in FILES):
            return folder
    where = " or ".join(str(c) for c in candidates) or "nowhere (no --data-dir and GENZOO_DATA is unset)"
    raise MnistMissingError(
        f"MNIST IDX files not found in {where}: put {', '.join(n + '[.gz]' for n in FILES)} in a folder and pass "
        "--data-dir DIR (or set GENZOO_DATA=DIR), or fetch them with genzoo.data.mnist.download(DIR)"
    )


def _locate(folder: Path, name: str) -> Path | None:
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


@validate_call
def mnist(split: Split = "train", *, view: View = "continuous", seed: int = 0, data_dir: str | None = None,
          download: bool = False) -> ImageDataset:
    """The standard MNIST split (60,000 train / 10,000 test) seen through `view`."""
    if download:
        data_dir = data_dir or os.environ.get("GENZOO_DATA") or "."
        download_files(Path(data_dir).expanduser() / "mnist")
    folder = find_files(data_dir)
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(_locate(folder, f"{prefix}-images-idx3-ubyte"), FILES[f"{prefix}-images-idx3-ubyte"])
    labels = read_idx(_locate(folder, f"{prefix}-labels-idx1-ubyte"), FILES[f"{prefix}-labels-idx1-ubyte"])
    x = torch.from_numpy(images.copy()).reshape(-1, 1, 28, 28)
    return ImageDataset(x, torch.from_numpy(labels.astype(np.int64)), num_levels=NUM_LEVELS, num_classes=10,
                        view=view, seed=seed, name="mnist", split=split)


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
