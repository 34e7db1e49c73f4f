"""Values <-> level indices: the grid, the dequantization bins, and exact round trips in any dtype."""

import pytest
import torch

from genzoo.distributions import dequantize, from_levels, snap_to_levels, to_levels
from genzoo.distributions import levels as levels_module


def test_values_round_to_the_nearest_level_and_clamp_into_range():
    x = torch.tensor([0.0, 0.25, 0.5, 0.74, 1.0, -0.1, 1.3, 0.124])
    index = to_levels(x, 5)
    assert index.dtype == torch.int64
    assert index.tolist() == [0, 1, 2, 3, 4, 0, 4, 0]
    assert to_levels(torch.tensor([-1.0, -0.4, 0.0, 1.0]), 5, (-1.0, 1.0)).tolist() == [0, 1, 2, 4]


def test_dequantized_values_belong_to_the_bin_that_holds_them():
    # with L = 5 on [0, 1), bin k is [k / 5, (k + 1) / 5)
    x = torch.tensor([0.0, 0.199, 0.2, (2 + 0.37) / 5, 0.9999])
    assert to_levels(x, 5, dequantized=True).tolist() == [0, 0, 1, 2, 4]


def test_level_values_are_evenly_spaced_from_low_to_high():
    assert from_levels(torch.tensor([0, 1, 2, 3, 4]), 5, (-1.0, 1.0)).tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert from_levels(torch.tensor([1]), 3, dtype=torch.float64).dtype == torch.float64


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("levels,value_range", [(2, (0.0, 1.0)), (17, (0.0, 1.0)), (256, (-1.0, 1.0)), (7, (-3.0, 5.0))])
def test_every_level_survives_the_round_trip(levels, value_range, dtype):
    index = torch.arange(levels)
    values = from_levels(index, levels, value_range, dtype=dtype)
    assert values.dtype == dtype
    assert torch.equal(to_levels(values, levels, value_range), index)
    assert torch.equal(snap_to_levels(values, levels, value_range), values)


def test_snapping_moves_values_to_the_nearest_level_and_keeps_the_dtype():
    x = torch.tensor([0.3, 0.9, -2.0, 0.6], dtype=torch.float64)
    snapped = snap_to_levels(x, 5)
    assert snapped.dtype == torch.float64
    assert snapped.tolist() == [0.25, 1.0, 0.0, 0.5]


def test_dequantize_spreads_each_level_over_its_bin_with_the_generator():
    index = torch.tensor([0, 2, 4])
    u = torch.rand(3, generator=torch.Generator().manual_seed(0))
    expected = -1.0 + 2.0 * (index + u) / 5  # bins of width 2 / 5 on [-1, 1)
    got = dequantize(index, 5, (-1.0, 1.0), generator=torch.Generator().manual_seed(0))
    assert torch.allclose(got, expected)
    assert torch.equal(to_levels(got, 5, (-1.0, 1.0), dequantized=True), index)


def test_dequantize_stays_below_high_when_float32_would_round_up(monkeypatch):
    just_below_one = 1 - 2**-24  # the largest float32 below 1: (2 + u) / 3 rounds to exactly 1.0
    monkeypatch.setattr(levels_module, "uniform", lambda shape, generator, device, dtype: torch.full(shape, just_below_one, dtype=dtype))
    value = dequantize(torch.tensor([2]), 3)
    assert value.item() < 1.0
    assert to_levels(value, 3, dequantized=True).item() == 2
