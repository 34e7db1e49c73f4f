"""The `tones` dataset: generated from seeds (same seed, same data), disjoint splits, mu-law levels in a
declared DataSpec, and one-line errors for bad options."""

import numpy as np
import pytest
import torch

from genzoo.plugin import ConfigError, load_dataset
from genzoo_explicit_likelihood.signals.mu_law import mu_law_decode
from genzoo_explicit_likelihood.signals.tones import SEEDS, tone_levels, tone_signals


def test_the_same_seed_gives_the_same_signals_and_another_seed_others():
    a, b = tone_signals(5, 300, seed=7), tone_signals(5, 300, seed=7)
    assert a.shape == (5, 300) and np.array_equal(a, b)
    assert not np.isclose(tone_signals(5, 300, seed=8), a).all(axis=1).any()
    assert np.array_equal(tone_levels(5, 300, seed=7), tone_levels(5, 300, seed=7))


def test_examples_do_not_depend_on_how_many_are_drawn_within_a_chunk():
    """Examples are drawn chunk by chunk (256) from one generator, so a larger draw begins with a smaller one of
    whole chunks: a split's first examples do not change if its size grows."""
    assert np.array_equal(tone_signals(300, 16, seed=1)[:256], tone_signals(256, 16, seed=1))


def test_signals_are_bounded_tones_with_their_peak_and_noise():
    x = tone_signals(64, 1024, seed=0)
    assert np.abs(x).max() <= 0.9 + 5 * 0.003 and np.abs(x).max(axis=1).min() > 0.1
    # tones of 110-880 Hz at 8 kHz: a lag-1 autocorrelation of about cos(2 pi f / 8000) >= cos(0.69) = 0.77
    centred = x - x.mean(axis=1, keepdims=True)
    lag1 = (centred[:, 1:] * centred[:, :-1]).sum(1) / (centred ** 2).sum(1)
    assert lag1.min() > 0.7


def test_the_splits_are_fixed_disjoint_and_mu_law_levels():
    train = load_dataset("tones", split="train", length=256)
    test = load_dataset("tones", split="test", length=256)
    assert (len(train), len(test)) == (2048, 256) and SEEDS == {"train": 0, "test": 1}
    assert train.x.dtype == torch.int64 and train.x.shape == (2048, 256)
    assert int(train.x.min()) >= 0 and int(train.x.max()) <= 255
    assert test.data_spec.levels == 256 and test.data_spec.kind == "discrete" and test.data_spec.shape == (256,)
    assert torch.equal(load_dataset("tones", split="test", length=256).x, test.x)
    rows = {tuple(row) for row in train.x.tolist()}
    assert not any(tuple(row) in rows for row in test.x.tolist())
    decoded = mu_law_decode(test.x.numpy())
    assert np.abs(decoded).max() < 0.95


def test_bad_options_are_one_line_errors():
    with pytest.raises(ConfigError, match="split must be one of train, test, got 'valid'"):
        load_dataset("tones", split="valid")
    with pytest.raises(ConfigError, match="length must be in 1..16384, got 0"):
        load_dataset("tones", split="test", length=0)
