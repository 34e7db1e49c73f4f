"""The edge operator by hand, and the paired / edge-map datasets built from it."""

from __future__ import annotations

import pytest
import torch

from genzoo.plugin import load_dataset

from genzoo_adversarial.edges import outer_edges


def test_one_ink_pixel_gets_the_ring_of_its_eight_neighbours():
    levels = torch.zeros(1, 1, 5, 5, dtype=torch.uint8)
    levels[0, 0, 2, 2] = 255
    expected = torch.zeros(1, 1, 5, 5, dtype=torch.long)
    expected[0, 0, 1:4, 1:4] = 1
    expected[0, 0, 2, 2] = 0
    assert torch.equal(outer_edges(levels, 256), expected)


def test_ink_is_half_the_top_level_or_more_and_uint8_levels_do_not_wrap():
    """17 levels: 8 of 16 is ink, 7 is not; 256 levels: 128 is ink, 127 not (2 * 200 would wrap in uint8)."""
    assert outer_edges(torch.tensor([[[[8]]]]), 17).sum() == 0  # ink with nothing around it to outline in 1x1
    row = torch.tensor([[[[0, 8, 0, 7, 0]]]])
    assert torch.equal(outer_edges(row, 17), torch.tensor([[[[1, 0, 1, 0, 0]]]]))
    row = torch.tensor([[[[0, 200, 0, 127, 0, 128]]]], dtype=torch.uint8)
    assert torch.equal(outer_edges(row, 256), torch.tensor([[[[1, 0, 1, 0, 1, 0]]]]))


def test_a_stroke_is_enclosed_by_its_outline_without_touching_it():
    levels = torch.zeros(1, 1, 6, 6, dtype=torch.long)
    levels[0, 0, 1:5, 2:4] = 16  # a 4x2 bar
    edges = outer_edges(levels, 17)[0, 0]
    assert edges.sum() == 6 * 4 - 4 * 2  # the 6x4 box around the bar minus the bar
    assert not (edges.bool() & (levels[0, 0] > 0)).any()


def test_edges2digits_pairs_each_digit_with_its_own_outline():
    pairs = load_dataset("edges2digits", "test")
    tensors = pairs.field_tensors()
    assert len(pairs) == 360 and set(pairs.fields) == {"x", "source", "label"}
    assert pairs.fields["source"].kind == "binary" and pairs.feature_dataset == "digits"
    digits, labels = load_dataset("digits", "test", view="levels").tensors()
    assert torch.equal(tensors["x"], digits.float() / 16) and torch.equal(tensors["label"], labels)
    assert torch.equal(tensors["source"], outer_edges(digits, 17).float())


@pytest.mark.parametrize("view", ["continuous", "levels"])
def test_digits_edges_are_the_sources_of_edges2digits_for_translate_inputs(view):
    edges, labels = load_dataset("digits-edges", "test", view=view).tensors()
    pairs = load_dataset("edges2digits", "test").field_tensors()
    assert torch.equal(edges.float(), pairs["source"]) and torch.equal(labels, pairs["label"])
