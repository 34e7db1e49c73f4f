"""The variational bound: its value for a model whose denoiser is exact (its terms are tested in core's tests/distributions)."""

import math

import genzoo
import pytest
import torch
from genzoo.errors import GenzooError
from genzoo.training import Batch, FitData
from genzoo_diffusion.training import DenoisingStep


def gaussian_log_likelihood(x, std):
    return (-0.5 * (x / std) ** 2 - math.log(std) - 0.5 * math.log(2 * math.pi)).sum(1).mean().item()


def fit_x0_error(model, std, n=4000):
    """DenoisingStep.finish on fresh N(0, std^2) data."""
    x0 = torch.randn(n, 2) * std
    DenoisingStep(variance_examples=n).finish(model, FitData(lambda epoch: iter(()), lambda: Batch(x0, None)))


def test_fixed_variances_leave_the_bound_loose_even_for_the_exact_denoiser(gaussian_ddpm):
    """About gamma / 2 = 0.29 nats per dimension at small t, plus the decoder's variance mismatch."""
    torch.manual_seed(0)
    model, x = gaussian_ddpm(0.7), torch.randn(4000, 2) * 0.7
    gap = gaussian_log_likelihood(x, 0.7) - model.log_prob(x, variance="small").mean().item()
    assert 0.8 < gap < 1.5


def test_fitted_variances_make_the_bound_of_the_exact_denoiser_tight(gaussian_ddpm):
    torch.manual_seed(0)
    model = gaussian_ddpm(0.7)
    fit_x0_error(model, 0.7)
    x = torch.randn(4000, 2) * 0.7
    gap = gaussian_log_likelihood(x, 0.7) - model.log_prob(x).mean().item()
    assert abs(gap) < 0.05  # tight up to Monte Carlo error (the per-example terms vary)


def test_stratified_estimate_agrees_with_the_full_sum(gaussian_ddpm):
    model = gaussian_ddpm(0.7)
    torch.manual_seed(1)
    x = torch.randn(4000, 2) * 0.7
    full = model.log_prob(x, variance="small").mean().item()
    assert model.log_prob(x, timesteps=50, variance="small").mean().item() == pytest.approx(full, abs=0.05)


def test_image_bound_is_a_mass_on_the_levels():
    spec = genzoo.get_registry().architecture("ddpm")
    model = genzoo.create("ddpm", **spec.tiny_config).eval()
    x = torch.randint(0, 17, (3, 1, 8, 8)) / 16
    log_p = model.log_prob(x, timesteps=4)
    assert log_p.shape == (3,) and (log_p < 0).all()


def test_bad_timesteps_is_a_clear_error(gaussian_ddpm):
    with pytest.raises(GenzooError, match="timesteps must be in"):
        gaussian_ddpm(0.7, timesteps=10).log_prob(torch.zeros(2, 2), timesteps=11)
