"""A generator's raw output in its DataSpec's terms, one rule for every image-drawing model of the family.

Training needs the output differentiable and inside the data's value range (a sigmoid onto [low, high]: the
papers' tanh, rescaled); a sample a user gets must also sit on the data's levels when they are discrete or
binary. Keeping both rules here means a GAN, a translator and a super-resolver cannot disagree on them.
"""

import torch

from genzoo import DataSpec
from genzoo.plugin import snap_to_levels


def squash_to_range(raw: torch.Tensor, spec: DataSpec) -> torch.Tensor:
    """`raw` onto the spec's value range by a sigmoid, differentiably; unbounded data (2-D toys) as given."""
    if spec.value_range is None:
        return raw
    low, high = spec.value_range
    return low + (high - low) * torch.sigmoid(raw)


def as_valid_sample(x: torch.Tensor, spec: DataSpec) -> torch.Tensor:
    """`x` (already in range) snapped to the nearest of the spec's levels when its data are discrete or binary."""
    if spec.kind == "continuous":
        return x
    return snap_to_levels(x, spec.levels or 2, spec.value_range)
