"""The registered `tones` dataset: mu-law levels of the seeded multi-tone signals as int64 sequences."""

from __future__ import annotations

import torch

from genzoo.plugin import ConfigError, DataSpec, TensorDataset
from genzoo_explicit_likelihood.signals.mu_law import LEVELS
from genzoo_explicit_likelihood.signals.tones import DEFAULT_LENGTH, SEEDS, SIZES, tone_levels

MAX_LENGTH = 16_384


def tones_spec(length: int = DEFAULT_LENGTH) -> DataSpec:
    """Sequences of `length` mu-law levels."""
    return DataSpec(shape=(length,), kind="discrete", dtype="int64", value_range=(0, LEVELS - 1), levels=LEVELS)


def tones(split: str = "train", length: int = DEFAULT_LENGTH) -> TensorDataset:
    """The split's examples (train 2,048, test 256) of `length` samples (default 1,024 = 128 ms at 8 kHz)."""
    if split not in SEEDS:
        raise ConfigError(f"split must be one of {', '.join(SEEDS)}, got {split!r}")
    if not 1 <= length <= MAX_LENGTH:
        raise ConfigError(f"length must be in 1..{MAX_LENGTH}, got {length}")
    levels = torch.from_numpy(tone_levels(SIZES[split], length, SEEDS[split]))
    return TensorDataset(levels, None, tones_spec(length), name="tones", split=split)
