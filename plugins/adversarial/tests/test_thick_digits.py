"""The thin <-> thick datasets: the dilation by hand, the disjoint unpaired streams, the registered metadata."""

import os

import pytest
import torch

from genzoo.plugin import load_dataset

from genzoo_adversarial.thick_digits import dilate

needs_mnist = pytest.mark.skipif(not os.environ.get("GENZOO_DATA"), reason="MNIST needs GENZOO_DATA")


def test_dilation_by_hand():
    levels = torch.zeros(1, 1, 5, 5, dtype=torch.long)
    levels[0, 0, 2, 2], levels[0, 0, 0, 4] = 7, 3
    # radius 1: the 7 spreads over rows/columns 1..3; the 3 in the corner over rows 0..1, columns 3..4
    expected = torch.tensor([[0, 0, 0, 3, 3],
                             [0, 7, 7, 7, 3],
                             [0, 7, 7, 7, 0],
                             [0, 7, 7, 7, 0],
                             [0, 0, 0, 0, 0]])
    out = dilate(levels)
    assert out.dtype == torch.long
    assert torch.equal(out[0, 0], expected)
    assert dilate(levels, radius=2)[0, 0, :, 0].tolist() == [7] * 5  # 5x5 windows: column 0 reaches the 7


def test_digits_streams_are_disjoint_halves_and_b_is_dilated():
    data = load_dataset("digits-thin-thick", "train", view="levels")
    digits = load_dataset("digits", "train", view="levels")
    a, b = data.streams["a"], data.streams["b"]
    assert (len(a), len(b), len(data)) == (719, 718, 719)
    assert torch.equal(a.levels, digits.levels[0::2])
    assert torch.equal(b.levels, dilate(digits.levels[1::2]))
    assert torch.equal(a.y, digits.y[0::2]) and torch.equal(b.y, digits.y[1::2])
    assert sorted(data.fields) == ["a", "a_label", "b", "b_label"]
    assert (b.levels >= digits.levels[1::2]).all()  # dilation only adds ink
    assert data.feature_dataset == "digits"  # the translation metrics read both streams with digits' classifier


def test_views_reach_both_streams():
    data = load_dataset("digits-thin-thick", "test", view="binarized")
    assert {stream.data_spec.kind for stream in data.streams.values()} == {"binary"}


def test_bad_radius_is_a_config_error():
    from genzoo.plugin import ConfigError

    with pytest.raises(ConfigError, match="radius"):
        load_dataset("digits-thin-thick", "train", radius=0)


@needs_mnist
def test_mnist_thick_is_the_dilated_split_and_thin_thick_halves_it():
    thick = load_dataset("mnist-thick", "test", view="levels")
    mnist = load_dataset("mnist", "test", view="levels")
    assert torch.equal(thick.levels, dilate(mnist.levels)) and torch.equal(thick.y, mnist.y)
    assert thick.feature_dataset == "mnist"
    pair = load_dataset("mnist-thin-thick", "test", view="levels")
    assert torch.equal(pair.streams["b"].levels, thick.levels[1::2])
    assert torch.equal(pair.streams["a"].levels, mnist.levels[0::2])
