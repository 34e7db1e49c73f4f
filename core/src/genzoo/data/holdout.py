"""The test split of data that come without one: a fixed share, drawn by a fixed seed.

The seed is never the user's `--seed`, so every run, every metric and every model trained on the
same folder or npz file is scored on the same held-out examples.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
import torch
from pydantic import Field

from genzoo.data.base import Split

HOLDOUT_SEED = 0
DEFAULT_HOLDOUT = 0.1
HoldoutFraction = Annotated[float, Field(gt=0, lt=1, description="Share of examples held out as the test split.")]


def holdout_indices(n: int, split: Split, fraction: float = DEFAULT_HOLDOUT) -> torch.Tensor:
    """Sorted indices of `split` among n examples: `fraction` of them (at least one) form the test split."""
    test_size = 0 if n < 2 else min(n - 1, max(1, round(n * fraction)))
    order = np.random.default_rng(HOLDOUT_SEED).permutation(n)
    chosen = order[:test_size] if split == "test" else order[test_size:]
    return torch.from_numpy(np.sort(chosen))
