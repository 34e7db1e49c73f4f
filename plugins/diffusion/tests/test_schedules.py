"""The forward process: Ho et al.'s linear betas, the cosine abar, and q(x_t | x_0)."""

import math

import pytest
import torch
from genzoo_diffusion.schedules import Schedule, cosine_betas, linear_betas


def test_linear_schedule_is_ho_et_al():
    betas = linear_betas(1000)
    assert betas[0].item() == pytest.approx(1e-4) and betas[-1].item() == pytest.approx(0.02)
    assert torch.all(betas[1:] > betas[:-1])
    # abar_T is about 4e-5: x_T is (almost) pure noise
    assert torch.prod(1 - betas).item() == pytest.approx(4.04e-5, rel=0.02)


def test_cosine_schedule_follows_its_abar_formula():
    abar = torch.cumprod(1 - cosine_betas(1000), 0)
    t = torch.tensor([100, 500, 900], dtype=torch.float64)
    expected = torch.cos(((t + 1) / 1000 + 0.008) / 1.008 * math.pi / 2) ** 2 / math.cos(0.008 / 1.008 * math.pi / 2) ** 2
    assert torch.allclose(abar[t.long()], expected, rtol=1e-6)


def test_short_linear_chains_stay_invertible():
    betas = linear_betas(10)
    assert betas.max() <= 0.999 and torch.isfinite(torch.log(1 - betas)).all()


def test_q_sample_has_the_forward_marginal():
    schedule = Schedule(linear_betas(1000))
    x0 = torch.full((200_000, 1), 0.5)
    t = torch.full((200_000,), 300)
    xt = schedule.q_sample(x0, t, torch.randn_like(x0))
    abar = schedule.alphas_cumprod[300]
    assert xt.mean().item() == pytest.approx(0.5 * abar.sqrt().item(), abs=0.01)
    assert xt.var().item() == pytest.approx(1 - abar.item(), rel=0.02)


def test_posterior_variance_is_beta_tilde():
    schedule = Schedule(linear_betas(1000))
    t = 500
    expected = schedule.betas[t] * (1 - schedule.alphas_cumprod[t - 1]) / (1 - schedule.alphas_cumprod[t])
    assert schedule.posterior_variance[t].item() == pytest.approx(expected.item(), rel=1e-5)
    assert schedule.posterior_mean_x0[0].item() == pytest.approx(1.0)  # at t = 1 the posterior mean is x_0
