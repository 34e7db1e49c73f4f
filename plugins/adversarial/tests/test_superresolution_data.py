"""The paired super-resolution datasets: the area-averaging operator by hand, and the pairs built from digits."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

from genzoo.plugin import ConfigError, load_dataset

from genzoo_adversarial.superresolution_data import downsample

pytest.importorskip("sklearn")


def test_downsample_replaces_each_block_by_its_mean():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)  # rows 0..3, 4..7, 8..11, 12..15
    assert downsample(x, 2).flatten().tolist() == [(0 + 1 + 4 + 5) / 4, (2 + 3 + 6 + 7) / 4,
                                                   (8 + 9 + 12 + 13) / 4, (10 + 11 + 14 + 15) / 4]
    assert downsample(x, 4).item() == pytest.approx(7.5)


def test_downsample_refuses_sizes_that_do_not_divide():
    with pytest.raises(ConfigError, match="28x28 cannot be shrunk by factor 3"):
        downsample(torch.zeros(1, 1, 28, 28), 3)


def test_digits_pairs_shrink_each_target_and_keep_its_label():
    pairs = load_dataset("digits-sr", "test")
    digits = load_dataset("digits", "test")
    tensors = pairs.field_tensors()
    x, y = digits.tensors()
    assert set(tensors) == {"x", "source", "label"} and len(pairs) == 360
    assert torch.equal(tensors["x"], x) and torch.equal(tensors["label"], y)
    assert torch.equal(tensors["source"], F.avg_pool2d(x, 2)) and tensors["source"].shape == (360, 1, 4, 4)
    assert pairs.feature_dataset == "digits"  # translation-fid reads the outputs with classifier-digits


def test_the_lowres_dataset_holds_the_pairs_sources_as_x():
    pairs = load_dataset("digits-sr", "train", factor=4).field_tensors()
    low = load_dataset("digits-lowres", "train", factor=4)
    assert torch.equal(low.tensors()[0], pairs["source"]) and torch.equal(low.tensors()[1], pairs["label"])
    assert low.data_spec.shape == (1, 2, 2) and low.data_spec.num_classes == 10
