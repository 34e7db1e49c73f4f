"""The family's one rule for a generator's output: a sigmoid onto the value range, snapped only for discrete data."""

import torch

from genzoo import DataSpec
from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range


def test_squash_maps_logits_onto_the_value_range_and_keeps_unbounded_data():
    spec = DataSpec(shape=(3,), value_range=(-1.0, 3.0))
    raw = torch.tensor([0.0, 100.0, -100.0])
    assert torch.allclose(squash_to_range(raw, spec), torch.tensor([1.0, 3.0, -1.0]))
    points = DataSpec(shape=(3,), value_range=None)
    assert torch.equal(squash_to_range(raw, points), raw)


def test_samples_snap_to_levels_only_when_the_data_are_discrete():
    x = torch.tensor([0.1, 0.4, 0.6])
    assert torch.equal(as_valid_sample(x, DataSpec(shape=(3,), levels=256)), x)
    binary = DataSpec(shape=(3,), kind="binary")
    assert torch.equal(as_valid_sample(x, binary), torch.tensor([0.0, 0.0, 1.0]))
    three_levels = DataSpec(shape=(3,), kind="discrete", levels=3)
    assert torch.equal(as_valid_sample(x, three_levels), torch.tensor([0.0, 0.5, 0.5]))
