"""Values <-> level indices: the one place that knows how quantised data sits in its value range.

Data with L levels in a value range [low, high] takes the values low + k (high - low) / (L - 1),
k = 0..L-1 (the DataSpec convention: the end levels are the range's ends). Its uniformly
dequantized form puts level k's mass on [low + k w / L, low + (k + 1) w / L) with w = high - low,
the convention under which bits/dim = (NLL / D + ln(L / w)) / ln 2. Datasets, decoders, samplers and
likelihoods all go through these four functions, so they agree on where a bin starts.
"""

from __future__ import annotations

import torch

from genzoo.distributions.draws import uniform

ValueRange = tuple[float, float]
UNIT = (0.0, 1.0)


def to_levels(x: torch.Tensor, levels: int, value_range: ValueRange = UNIT, *, dequantized: bool = False) -> torch.Tensor:
    """The level index (int64) of each value, clamped to 0..L-1.

    Values on (or near) the grid round to the nearest level; with `dequantized=True` a value belongs to
    the level whose dequantization bin contains it (floor of its position times L).
    """
    low, high = value_range
    unit = (x - low) / (high - low)
    index = (unit * levels).floor() if dequantized else (unit * (levels - 1)).round()
    return index.clamp(0, levels - 1).long()


def from_levels(index: torch.Tensor, levels: int, value_range: ValueRange = UNIT, *,
                dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The value of each level index, low + k (high - low) / (L - 1), as `dtype`."""
    low, high = value_range
    return low + (high - low) * (index.to(dtype) / (levels - 1))


def snap_to_levels(x: torch.Tensor, levels: int, value_range: ValueRange = UNIT) -> torch.Tensor:
    """Each value replaced by the nearest level's value (clamped into the range); keeps x's dtype."""
    return from_levels(to_levels(x, levels, value_range), levels, value_range, dtype=x.dtype)


def dequantize(index: torch.Tensor, levels: int, value_range: ValueRange = UNIT, *,
               generator: torch.Generator | None = None, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Level indices spread uniformly over their bins: low + (k + u) (high - low) / L with u ~ U[0, 1).

    The result stays strictly below `high`: in float32, (L - 1 + u) / L rounds up to 1.0 for u near 1,
    which would put the value in a bin that does not exist.
    """
    low, high = value_range
    u = uniform(index.shape, generator, device=index.device, dtype=dtype)
    values = low + (high - low) * ((index.to(dtype) + u) / levels)
    below_high = torch.nextafter(torch.tensor(high, dtype=dtype), torch.tensor(low, dtype=dtype)).item()
    return values.clamp_max(below_high)
