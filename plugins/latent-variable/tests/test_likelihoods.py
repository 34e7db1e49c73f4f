"""Decoder distributions: normalised masses, densities that match the dequantization, DataSpec-valid samples."""

import math

import pytest
import torch
from torch.nn import functional as F

from genzoo import DataSpec
from genzoo.errors import ConfigError
from genzoo_latent_variable.likelihoods import output_distribution

LEVELS = 5


def _params(n: int, spec: DataSpec, per_value: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, per_value * spec.dim, generator=torch.Generator().manual_seed(seed))


def test_discretized_logistic_masses_sum_to_one():
    spec = DataSpec(shape=(1,), kind="discrete", value_range=(0.0, 1.0), levels=LEVELS)
    logistic = output_distribution(spec, "auto")
    params = _params(3, spec, 2)
    levels = torch.linspace(0, 1, LEVELS)
    log_masses = torch.stack([logistic.log_prob(params, level.expand(3, 1)) for level in levels])
    assert torch.allclose(torch.logsumexp(log_masses, 0), torch.zeros(3), atol=1e-5)


def test_discretized_logistic_density_on_dequantized_data_is_mass_times_levels():
    discrete = DataSpec(shape=(1,), kind="discrete", value_range=(0.0, 1.0), levels=LEVELS)
    continuous = DataSpec(shape=(1,), kind="continuous", value_range=(0.0, 1.0), levels=LEVELS)
    params = _params(4, discrete, 2, seed=1)
    level = torch.full((4, 1), 2 / (LEVELS - 1))
    dequantized = torch.full((4, 1), (2 + 0.37) / LEVELS)  # inside bin 2
    mass = output_distribution(discrete, "logistic").log_prob(params, level)
    density = output_distribution(continuous, "logistic").log_prob(params, dequantized)
    assert torch.allclose(density, mass + math.log(LEVELS), atol=1e-5)


def test_samples_match_the_data_kind():
    generator = torch.Generator().manual_seed(0)
    discrete = DataSpec(shape=(1, 2, 2), kind="discrete", value_range=(0.0, 1.0), levels=LEVELS)
    samples = output_distribution(discrete, "auto").sample(_params(50, discrete, 2), generator)
    assert set((samples * (LEVELS - 1)).round().unique().tolist()) <= set(range(LEVELS))
    assert torch.allclose(samples * (LEVELS - 1), (samples * (LEVELS - 1)).round())
    binary = DataSpec(shape=(3,), kind="binary", value_range=(0.0, 1.0))
    assert set(output_distribution(binary, "auto").sample(_params(50, binary, 1), generator).unique().tolist()) <= {0.0, 1.0}


def test_bernoulli_and_gaussian_agree_with_torch():
    binary = DataSpec(shape=(3,), kind="binary", value_range=(0.0, 1.0))
    logits = _params(4, binary, 1)
    x = torch.bernoulli(torch.full((4, 3), 0.5), generator=torch.Generator().manual_seed(2))
    expected = -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    assert torch.allclose(output_distribution(binary, "bernoulli").log_prob(logits, x), expected)
    points = DataSpec(shape=(2,), value_range=None)
    params = _params(4, points, 2)
    x = torch.randn(4, 2)
    mean, log_scale = params.reshape(4, 2, 2).unbind(1)
    expected = torch.distributions.Normal(mean, log_scale.exp()).log_prob(x).sum(1)
    assert torch.allclose(output_distribution(points, "auto").log_prob(params, x), expected, atol=1e-5)


def test_bernoulli_on_grey_levels_is_refused():
    with pytest.raises(ConfigError, match="binary"):
        output_distribution(DataSpec(shape=(1, 8, 8), levels=17), "bernoulli")
