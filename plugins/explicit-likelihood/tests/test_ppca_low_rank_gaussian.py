"""The low-rank Gaussian that PPCA and factor analysis share: density, posterior mean, decoder, sampling, guards."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo.errors import ConfigError, GenzooError
from genzoo.testing.normalisation import TOLERANCE, total_mass
from genzoo_explicit_likelihood.low_rank_gaussian import moments_log_likelihood, sample_moments

ARCHITECTURES = ("ppca", "fa")


def _model(architecture: str, dim: int = 3, latent_dim: int = 2, *, isotropic: bool):
    """A model with hand-set parameters: mean (0.5, -1, 2), a full-rank W and an isotropic or diagonal Psi."""
    model = genzoo.create(architecture, data={"shape": (dim,), "value_range": None}, latent_dim=latent_dim)
    weight = torch.tensor([[1.0, 0.5], [-0.3, 2.0], [0.7, -0.4]])[:dim, :latent_dim]
    noise = torch.full((dim,), 0.3) if isotropic else torch.tensor([0.2, 0.05, 1.5])[:dim]
    model.set_parameters(torch.tensor([0.5, -1.0, 2.0])[:dim], weight, noise)
    return model


@pytest.mark.parametrize(("architecture", "isotropic"), [("ppca", True), ("fa", False)])
def test_log_prob_equals_a_dense_multivariate_normal(architecture, isotropic):
    model = _model(architecture, isotropic=isotropic)
    x = torch.tensor([[0.0, 0.0, 0.0], [1.0, -2.0, 3.5], [-4.0, 6.0, -1.0]], dtype=torch.float64)
    weight = model.weight.double()
    covariance = weight @ weight.T + torch.diag(model.noise_variance.double())
    dense = torch.distributions.MultivariateNormal(model.mean.double(), covariance).log_prob(x)
    torch.testing.assert_close(model.log_prob(x), dense.float(), rtol=2e-6, atol=0)  # float32 weights
    torch.testing.assert_close(model.double().log_prob(x), dense, rtol=1e-12, atol=0)


def test_encode_is_the_posterior_mean_and_decode_the_linear_map():
    """E[z | x] = W^T C^-1 (x - mu) (the conditional of the joint Gaussian, computed here without Woodbury)."""
    model = _model("fa", isotropic=False)
    x = torch.tensor([[1.0, -2.0, 3.5], [0.0, 0.0, 0.0]])
    covariance = model.weight @ model.weight.T + torch.diag(model.noise_variance)
    expected = (model.weight.T @ torch.linalg.solve(covariance, (x - model.mean).T)).T
    torch.testing.assert_close(model.encode(x), expected, rtol=0, atol=1e-5)
    z = torch.tensor([[1.0, -1.0]])
    torch.testing.assert_close(model.decode(z), (model.weight @ z[0] + model.mean)[None])


def test_decode_output_draws_around_the_decoded_mean():
    """output="mean" is W z + mu; a draw adds noise of variance Psi (the reconstruction samplers use both)."""
    model = _model("fa", isotropic=False)
    z = torch.tensor([[0.5, -1.0]]).expand(100_000, 2)
    torch.testing.assert_close(model.decode_output(z[:1], output="mean"), model.decode(z[:1]))
    draws = model.decode_output(z, generator=torch.Generator().manual_seed(0)).double()
    torch.testing.assert_close(draws.mean(0), model.decode(z[:1])[0].double(), rtol=0, atol=0.02)
    torch.testing.assert_close(draws.var(0), model.noise_variance.double(), rtol=0.03, atol=0)


def test_samples_have_the_model_covariance():
    model = _model("fa", isotropic=False)
    samples = model.sample(200_000, generator=torch.Generator().manual_seed(0)).double()
    covariance = model.weight @ model.weight.T + torch.diag(model.noise_variance)
    torch.testing.assert_close(samples.mean(0), model.mean.double(), rtol=0, atol=0.02)
    torch.testing.assert_close(torch.cov(samples.T), covariance.double(), rtol=0, atol=0.05)


def test_image_samples_are_clamped_into_the_value_range():
    model = genzoo.create("ppca", data={"shape": (1, 2, 2), "value_range": (0.0, 1.0)}, latent_dim=1)
    samples = model.sample(500, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (500, 1, 2, 2) and samples.min() == 0 and samples.max() == 1


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_a_fitted_model_normalises(architecture):
    """The kit integrates the untrained (standard normal) tiny model; this integrates a fitted, correlated one."""
    model = _model(architecture, dim=2, latent_dim=1, isotropic=architecture == "ppca")
    (mass,) = total_mass(model)
    assert abs(mass - 1) <= TOLERANCE


def test_the_logged_objective_is_the_mean_training_log_prob():
    """moments_log_likelihood (dense, from S) = the mean of log_prob (Woodbury) over the data at their own mean."""
    x = torch.randn(50, 3, generator=torch.Generator().manual_seed(1)).double()
    model = _model("fa", isotropic=False).double()
    mean, covariance = sample_moments(x)
    model.set_parameters(mean, model.weight, model.noise_variance)
    expected = float(model.log_prob(x).mean())
    assert moments_log_likelihood(covariance, model.weight, model.noise_variance) == pytest.approx(expected, abs=1e-9)


def test_sample_moments_divide_by_n():
    x = torch.tensor([[0.0, 1.0], [2.0, 1.0]])
    mean, covariance = sample_moments(x)
    torch.testing.assert_close(mean, torch.tensor([1.0, 1.0], dtype=torch.float64))
    torch.testing.assert_close(covariance, torch.tensor([[1.0, 0.0], [0.0, 0.0]], dtype=torch.float64))


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_as_many_factors_as_dimensions_is_a_config_error(architecture):
    with pytest.raises(ConfigError, match="latent_dim=2 must be below the data's 2 dimensions"):
        genzoo.create(architecture, data={"shape": (2,), "value_range": None}, latent_dim=2)


def test_a_singular_or_non_finite_fit_is_refused_and_changes_nothing():
    model = genzoo.create("fa", data={"shape": (2,), "value_range": None}, latent_dim=1, min_noise_variance=0)
    with pytest.raises(GenzooError, match="covariance is singular: 1 dimension"):
        model.set_parameters(torch.zeros(2), torch.ones(2, 1), torch.tensor([1.0, 0.0]))
    with pytest.raises(GenzooError, match="non-finite weight"):
        model.set_parameters(torch.ones(2), torch.full((2, 1), float("nan")), torch.ones(2))
    assert torch.equal(model.noise_variance, torch.ones(2)) and torch.equal(model.mean, torch.zeros(2)), (
        "a refused fit must leave the model as it was")


def test_fewer_than_two_examples_or_non_finite_data_are_refused():
    with pytest.raises(GenzooError, match="at least 2 examples"):
        sample_moments(torch.zeros(1, 3))
    with pytest.raises(GenzooError, match="NaN or inf"):
        sample_moments(torch.tensor([[0.0, float("nan")], [1.0, 2.0]]))
