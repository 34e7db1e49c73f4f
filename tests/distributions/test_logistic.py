"""The discretized logistic and its mixture against masses computed by hand from the logistic CDF."""

import math
from itertools import pairwise

import pytest
import torch

from genzoo.distributions import (
    discretized_logistic_log_prob,
    discretized_logistic_mixture_log_prob,
    from_levels,
    sample_discretized_logistic,
    sample_discretized_logistic_mixture,
    to_levels,
)


def sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def hand_masses(mean: float, scale: float, edges: list[float]) -> list[float]:
    """Masses of the bins between consecutive `edges`, the outer bins open to -inf and +inf."""
    cdf = [0.0] + [sigmoid((edge - mean) / scale) for edge in edges] + [1.0]
    return [b - a for a, b in pairwise(cdf)]


def test_three_levels_by_hand_edge_bins_take_the_tails():
    # levels 0, 0.5, 1 on [0, 1]: bins (-inf, 0.25], (0.25, 0.75], (0.75, inf)
    expected = hand_masses(0.3, 0.2, [0.25, 0.75])
    x = torch.tensor([0.0, 0.5, 1.0])
    got = discretized_logistic_log_prob(x, torch.full((3,), 0.3), torch.full((3,), math.log(0.2)), 3).exp()
    assert got.tolist() == pytest.approx(expected, rel=1e-5)


def test_mean_and_scale_are_in_the_datas_units():
    # levels -1, 0, 1 on [-1, 1]: bins (-inf, -0.5], (-0.5, 0.5], (0.5, inf)
    expected = hand_masses(0.2, 0.4, [-0.5, 0.5])
    x = torch.tensor([-1.0, 0.0, 1.0])
    got = discretized_logistic_log_prob(x, torch.full((3,), 0.2), torch.full((3,), math.log(0.4)), 3, (-1.0, 1.0))
    assert got.exp().tolist() == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("levels,mean,log_scale", [(17, 0.3, -2.0), (256, 0.0, -7.0), (256, 0.999, -9.0), (2, 0.5, 1.0)])
def test_masses_over_all_levels_sum_to_one(levels, mean, log_scale):
    index = torch.arange(levels)
    x = from_levels(index, levels, dtype=torch.float64)
    log_mass = discretized_logistic_log_prob(x, torch.full_like(x, mean), torch.full_like(x, log_scale), levels)
    assert log_mass.dtype == torch.float64
    assert torch.logsumexp(log_mass, 0).item() == pytest.approx(0.0, abs=1e-9)


def test_level_indices_score_like_their_values():
    index = torch.tensor([0, 3, 16])
    mean, log_scale = torch.tensor([0.1, 0.2, 0.9]), torch.tensor([-3.0, -2.0, -1.0])
    by_value = discretized_logistic_log_prob(from_levels(index, 17), mean, log_scale, 17)
    assert torch.allclose(discretized_logistic_log_prob(index, mean, log_scale, 17), by_value)


def test_density_on_dequantized_data_is_the_bins_mass_times_levels_over_width():
    mean, log_scale = torch.tensor([0.1]), torch.tensor([-0.5])
    mass = discretized_logistic_log_prob(torch.tensor([-0.5]), mean, log_scale, 5, (-1.0, 1.0))
    inside = torch.tensor([-1.0 + 2.0 * (1 + 0.63) / 5])  # dequantized, in the bin of level 1 (value -0.5)
    density = discretized_logistic_log_prob(inside, mean, log_scale, 5, (-1.0, 1.0), dequantized=True)
    assert density.item() == pytest.approx(mass.item() + math.log(5 / 2.0), abs=1e-6)


def test_far_tails_stay_finite_and_accurate_in_float64():
    # a sharp logistic at 0.5 puts almost nothing on level 0.75 (L = 5): log(sigmoid(u) - sigmoid(l)) ~ -l
    x, mean, log_scale = torch.tensor([0.75], dtype=torch.float64), torch.tensor([0.5], dtype=torch.float64), torch.tensor([math.log(1e-3)], dtype=torch.float64)
    log_mass = discretized_logistic_log_prob(x, mean, log_scale, 5).item()
    lower, upper = (0.625 - 0.5) / 1e-3, (0.875 - 0.5) / 1e-3  # 125 and 375 scales away
    assert math.isfinite(log_mass)
    assert log_mass == pytest.approx(-lower + math.log1p(-math.exp(lower - upper)), rel=1e-9)


def test_mixture_by_hand():
    weights, means, scales = [0.25, 0.75], [0.2, 0.8], [0.1, 0.3]
    edges = [0.25, 0.75]
    components = [hand_masses(m, s, edges) for m, s in zip(means, scales)]
    expected = [weights[0] * a + weights[1] * b for a, b in zip(*components)]
    x = torch.tensor([0.0, 0.5, 1.0])
    logits = torch.tensor(weights).log().expand(3, 2)
    got = discretized_logistic_mixture_log_prob(x, logits, torch.tensor(means), torch.tensor(scales).log(), 3)
    assert got.exp().tolist() == pytest.approx(expected, rel=1e-5)


def test_mixture_masses_sum_to_one_with_weights_shared_across_channels():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(1, 1, 4, generator=generator)  # one set of weights for both channels
    mean, log_scale = torch.rand(1, 2, 4, generator=generator), torch.randn(1, 2, 4, generator=generator) - 2
    x = from_levels(torch.arange(8), 8).reshape(8, 1).expand(8, 2)
    log_mass = discretized_logistic_mixture_log_prob(x, logits, mean, log_scale, 8)
    assert log_mass.shape == (8, 2)
    assert torch.logsumexp(log_mass, 0).tolist() == pytest.approx([0.0, 0.0], abs=1e-5)


def test_samples_lie_on_the_grid_with_the_models_frequencies():
    n, levels = 20000, 3
    mean, log_scale = torch.full((n,), 0.3), torch.full((n,), math.log(0.2))
    draws = sample_discretized_logistic(mean, log_scale, levels, generator=torch.Generator().manual_seed(0))
    assert torch.equal(from_levels(to_levels(draws, levels), levels), draws)
    frequencies = torch.bincount(to_levels(draws, levels), minlength=levels) / n
    assert frequencies.tolist() == pytest.approx(hand_masses(0.3, 0.2, [0.25, 0.75]), abs=0.01)


def test_mixture_samples_have_the_mixtures_frequencies():
    n, weights = 20000, [0.25, 0.75]
    logits = torch.tensor(weights).log().expand(n, 2)
    means, scales = torch.tensor([0.2, 0.8]), torch.tensor([0.1, 0.3])
    draws = sample_discretized_logistic_mixture(logits, means, scales.log(), 3, generator=torch.Generator().manual_seed(1))
    frequencies = torch.bincount(to_levels(draws, 3), minlength=3) / n
    components = [hand_masses(m, s, [0.25, 0.75]) for m, s in zip([0.2, 0.8], [0.1, 0.3])]
    expected = [weights[0] * a + weights[1] * b for a, b in zip(*components)]
    assert frequencies.tolist() == pytest.approx(expected, abs=0.01)
