"""mu-law companding by hand: the curve's fixed points, levels worked out from the formula, and the round trip."""

import math

import numpy as np
import pytest

from genzoo_explicit_likelihood.signals.mu_law import mu_law_decode, mu_law_encode


def test_the_ends_and_silence_map_to_the_end_and_middle_levels():
    """F(-1) = -1 -> floor(0.5) = 0; F(1) = 1 -> floor(255.5) = 255; F(0) = 0 -> floor(128.0) = 128."""
    assert mu_law_encode([-1.0, 1.0, 0.0]).tolist() == [0, 255, 128]
    assert mu_law_encode([-3.0, 2.0]).tolist() == [0, 255]  # clipped to [-1, 1] first


def test_levels_by_hand():
    """x = 0.5: F = ln(128.5) / ln(256) = 4.85593 / 5.54518 = 0.875703, (1.875703 / 2) 255 + 0.5 = 239.65 -> 239.
    x = -0.01: F = -ln(3.55) / ln(256) = -1.26695 / 5.54518 = -0.228478, (0.771522 / 2) 255 + 0.5 = 98.87 -> 98.
    x = 0.001: F = ln(1.255) / ln(256) = 0.227136 / 5.54518 = 0.0409610, (1.0409610 / 2) 255 + 0.5 = 133.22 -> 133."""
    assert mu_law_encode([0.5, -0.01, 0.001]).tolist() == [239, 98, 133]
    assert mu_law_encode(np.array([[0.5], [0.001]])).shape == (2, 1)


def test_decoding_by_hand():
    """Level 255: F = 1, x = (256 - 1) / 255 = 1; level 0: -1; level 128: F = 1/255, x = (256^(1/255) - 1) / 255;
    level 239: F = 223/255, x = (256^(223/255) - 1) / 255."""
    expected = [1.0, -1.0, (256 ** (1 / 255) - 1) / 255, (256 ** (223 / 255) - 1) / 255]
    assert mu_law_decode([255, 0, 128, 239]).tolist() == pytest.approx(expected, rel=1e-12)
    assert mu_law_decode(128) == pytest.approx(8.6207e-5, rel=1e-4)


def test_decoding_then_encoding_returns_every_level():
    levels = np.arange(256)
    assert np.array_equal(mu_law_encode(mu_law_decode(levels)), levels)


def test_the_round_trip_error_is_half_a_level_of_the_companded_curve():
    """|F(x) - F(decode(encode(x)))| <= 1/255 (half of a level's width 2/255); in x that is fine near 0 and coarse
    near 1: dx/dF = ln(256) (1 + 255 |x|) / 255, so about 3.0e-4 at |x| = 0.01 and 0.0218 at |x| = 1."""
    x = np.linspace(-1, 1, 20_001)
    companded = lambda v: np.sign(v) * np.log1p(255 * np.abs(v)) / math.log(256)  # noqa: E731
    error = np.abs(companded(x) - companded(mu_law_decode(mu_law_encode(x))))
    assert error.max() <= 1 / 255 + 1e-12
    near_zero = np.abs(x - mu_law_decode(mu_law_encode(x)))[np.abs(x) < 0.01].max()
    assert near_zero < 3.1e-4 and 0.02 < np.abs(x - mu_law_decode(mu_law_encode(x))).max()
