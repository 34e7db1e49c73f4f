"""MNIST from IDX files on disk (never fetched at run time), verified by digest.

Where genzoo looks for the files and how it checks them is genzoo.data.mnist_files. `download`
fetches the standard files on a machine with a network; nothing calls it unless asked
(`mnist(..., download=True)`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch
from pydantic import validate_call

from genzoo.data.base import ImageDataset, Split, View
from genzoo.data.mnist_files import FILES, download_files, find_files, locate, read_idx

NUM_LEVELS = 256


@validate_call
def mnist(split: Split = "train", *, view: View = "continuous", seed: int = 0, data_dir: str | None = None,
          download: bool = False) -> ImageDataset:
    """The standard MNIST split (60,000 train / 10,000 test) seen through `view`."""
    if download:
        data_dir = data_dir or os.environ.get("GENZOO_DATA") or "."
        download_files(Path(data_dir).expanduser() / "mnist")
    folder = find_files(data_dir)
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(locate(folder, f"{prefix}-images-idx3-ubyte"), FILES[f"{prefix}-images-idx3-ubyte"])
    labels = read_idx(locate(folder, f"{prefix}-labels-idx1-ubyte"), FILES[f"{prefix}-labels-idx1-ubyte"])
    x = torch.from_numpy(images.copy()).reshape(-1, 1, 28, 28)
    return ImageDataset(x, torch.from_numpy(labels.astype(np.int64)), num_levels=NUM_LEVELS, num_classes=10,
                        view=view, seed=seed, name="mnist", split=split)
