"""scikit-learn's bundled 8x8 digits: 1,797 images with 17 grey levels (0..16), always available.

The train/test split is fixed (a permutation seeded with SPLIT_SEED, never the user's seed), so
every model and metric in the zoo is scored on the same 360 test images.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from pydantic import validate_call

from genzoo.data.base import ImageDataset, Split, View
from genzoo.errors import GenzooError

NUM_LEVELS = 17
TEST_SIZE = 360
SPLIT_SEED = 0


@functools.lru_cache(maxsize=1)
def _load() -> tuple[torch.Tensor, torch.Tensor]:
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise GenzooError("the digits dataset needs scikit-learn: pip install scikit-learn") from None
    bunch = load_digits()
    images = torch.from_numpy(bunch.images.astype(np.uint8)).reshape(-1, 1, 8, 8)
    return images, torch.from_numpy(bunch.target.astype(np.int64))


@validate_call
def digits(split: Split = "train", *, view: View = "continuous", seed: int = 0) -> ImageDataset:
    """The digits `split` (1,437 train / 360 test) seen through `view`; `seed` drives random views."""
    images, labels = _load()
    order = torch.from_numpy(np.random.default_rng(SPLIT_SEED).permutation(len(images)))
    index = order[:TEST_SIZE] if split == "test" else order[TEST_SIZE:]
    return ImageDataset(images[index], labels[index], num_levels=NUM_LEVELS, num_classes=10, view=view, seed=seed,
                        name="digits", split=split)
