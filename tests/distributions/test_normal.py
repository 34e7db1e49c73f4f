"""Gaussian density, KL and the discretized Gaussian against the closed forms and Phi by hand."""

import math

import pytest
import torch

from genzoo.distributions import discretized_gaussian_log_prob, from_levels, normal_kl, normal_log_prob


def phi(v: float) -> float:
    return 0.5 * (1 + math.erf(v / math.sqrt(2)))


def test_normal_log_prob_by_hand():
    got = normal_log_prob(torch.tensor([1.0, -3.0]), torch.tensor([0.0, -1.0]), torch.tensor([math.log(4.0), 0.0]))
    expected = [-0.5 * math.log(2 * math.pi * 4) - 1 / 8, -0.5 * math.log(2 * math.pi) - 2.0]
    assert got.tolist() == pytest.approx(expected, abs=1e-6)


def test_normal_kl_matches_closed_form():
    kl = normal_kl(torch.tensor(1.0), torch.tensor(0.0), torch.tensor(0.0), torch.tensor(math.log(4.0)))
    assert kl.item() == pytest.approx(0.5 * (math.log(4) + 0.25 + 0.25 - 1))
    assert normal_kl(torch.tensor(0.2), torch.tensor(-1.0), torch.tensor(0.2), torch.tensor(-1.0)).item() == 0


def test_discretized_gaussian_three_levels_by_hand():
    # levels -1, 0, 1 on [-1, 1]: bins (-inf, -0.5], (-0.5, 0.5], (0.5, inf); N(0.2, 0.3^2)
    cdf = [phi((edge - 0.2) / 0.3) for edge in (-0.5, 0.5)]
    expected = [cdf[0], cdf[1] - cdf[0], 1 - cdf[1]]
    x = torch.tensor([-1.0, 0.0, 1.0])
    got = discretized_gaussian_log_prob(x, torch.full((3,), 0.2), torch.full((3,), 2 * math.log(0.3)), 3, (-1.0, 1.0))
    assert got.dtype == torch.float32
    assert got.exp().tolist() == pytest.approx(expected, rel=1e-6)
    by_index = discretized_gaussian_log_prob(torch.tensor([0, 1, 2]), torch.full((3,), 0.2),
                                             torch.full((3,), 2 * math.log(0.3)), 3, (-1.0, 1.0))
    assert torch.equal(by_index, got)


@pytest.mark.parametrize("mean,log_var", [(0.3, -2.0), (0.0, -9.0), (0.95, -12.0), (-1.0, -4.0), (2.0, -1.0)])
def test_discretized_gaussian_is_a_probability_mass(mean, log_var):
    x = from_levels(torch.arange(256), 256, (-1.0, 1.0))
    log_mass = discretized_gaussian_log_prob(x, torch.full((256,), mean), torch.full((256,), log_var), 256, (-1.0, 1.0))
    assert log_mass.double().exp().sum().item() == pytest.approx(1.0, abs=1e-4)
    assert (log_mass <= 0).all()


def test_tiny_variances_do_not_underflow():
    # std 3e-7 at a level centre: all the mass on that level, and the neighbour's log mass finite
    x = torch.tensor([0.5, 0.75], dtype=torch.float64)
    log_mass = discretized_gaussian_log_prob(x, torch.full((2,), 0.5, dtype=torch.float64),
                                             torch.full((2,), -30.0, dtype=torch.float64), 5)
    assert log_mass.dtype == torch.float64
    assert log_mass[0].item() == pytest.approx(0.0, abs=1e-12)
    assert math.isfinite(log_mass[1].item()) and log_mass[1].item() < -1e9
