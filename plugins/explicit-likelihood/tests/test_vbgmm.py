"""The variational GMM: with one component its ELBO is the exact evidence of the Normal-Wishart model and its
log_prob the exact posterior predictive; the ELBO never decreases; unneeded components switch off."""

from __future__ import annotations

import math

import pytest
import torch

import genzoo
from genzoo.metrics.base import EvalRequest
from genzoo_explicit_likelihood.mixture_fitting import components_metric
from genzoo_explicit_likelihood.vbgmm import Posterior, Prior, VBGMMConfig


def clusters(n: int = 150) -> torch.Tensor:
    """Three well-separated 2-d clusters (n, n, n / 2 points)."""
    g = torch.Generator().manual_seed(0)
    return torch.cat([torch.randn(n, 2, generator=g) * 0.3 + torch.tensor([4.0, 0.0]),
                      torch.randn(n, 2, generator=g) * 0.5 + torch.tensor([-4.0, 2.0]),
                      torch.randn(n // 2, 2, generator=g) * torch.tensor([0.2, 1.0]) + torch.tensor([0.0, -4.0])])


def log_evidence(x: torch.Tensor, mean0: torch.Tensor, scale0: torch.Tensor, beta0: float, nu0: float) -> float:
    """log p(x) under x_i ~ N(mu, Lambda^-1), mu ~ N(m0, (beta0 Lambda)^-1), Lambda ~ Wishart(scale0^-1, nu0):
    the closed form of Murphy, "Conjugate Bayesian analysis of the Gaussian distribution" (2007), eq. 266."""
    n, d = x.shape
    centre = x.mean(0)
    scatter = (x - centre).T @ (x - centre)
    beta, nu = beta0 + n, nu0 + n
    scale = scale0 + scatter + beta0 * n / beta * torch.outer(centre - mean0, centre - mean0)
    multigamma = torch.mvlgamma(torch.tensor([nu / 2, nu0 / 2], dtype=torch.float64), d)
    return float(-n * d / 2 * math.log(math.pi) + multigamma[0] - multigamma[1] + nu0 / 2 * torch.logdet(scale0)
                 - nu / 2 * torch.logdet(scale) + d / 2 * math.log(beta0 / beta))


def one_component_fit(x: torch.Tensor, jitter: float = 1e-6):
    model = genzoo.create("vbgmm", components=1, mean_precision=0.5, jitter=jitter).double()
    elbo = model.fit_mixture(x, iterations=3, tolerance=0.0, log=lambda i, v: None)
    nu0 = 2.0  # D
    prior = (x.mean(0), nu0 * (torch.cov(x.T) + jitter * torch.eye(2, dtype=x.dtype)), 0.5, nu0)  # m0, W0^-1, beta0
    return model, elbo, prior


def test_one_component_elbo_is_the_exact_log_evidence():
    x = clusters(20).double()
    _, elbo, prior = one_component_fit(x)
    # with one component q(mu, Lambda) is the exact posterior, so the bound is tight
    assert elbo[0] * len(x) == pytest.approx(log_evidence(x, *prior), rel=1e-10)


def test_one_component_log_prob_is_the_exact_posterior_predictive():
    x = clusters(20).double()
    model, _, prior = one_component_fit(x)
    new = torch.tensor([[0.5, -1.0], [3.0, 2.0], [-6.0, 0.0]], dtype=torch.float64)
    expected = [log_evidence(torch.cat([x, point[None]]), *prior) - log_evidence(x, *prior) for point in new]
    assert model.log_prob(new).tolist() == pytest.approx(expected, rel=1e-9)


def test_the_elbo_divergences_match_torch_kl_for_several_components():
    """The ELBO's KL terms for K > 1: the Dirichlet one against torch's closed form, and each component's
    Gaussian-Wishart one (checked exactly through the log evidence for K = 1) non-negative and zero at the prior."""
    x = clusters().double()
    prior = Prior.from_data(x, VBGMMConfig(components=4, weight_concentration=0.3))
    state = Posterior.update(x, torch.softmax(torch.randn(len(x), 4, generator=torch.Generator().manual_seed(0),
                                                          dtype=torch.float64), dim=1), prior)
    prior_weights = torch.distributions.Dirichlet(torch.full((4,), 0.3, dtype=torch.float64))
    expected = torch.distributions.kl_divergence(torch.distributions.Dirichlet(state.concentration), prior_weights)
    assert float(state.weight_divergence(prior)) == pytest.approx(float(expected), rel=1e-10)
    assert (state.component_divergences(prior) > 0).all()
    at_prior = Posterior(torch.full((4,), 0.3, dtype=torch.float64), torch.full((4,), prior.beta, dtype=torch.float64),
                         prior.mean.expand(4, -1), torch.full((4,), prior.nu, dtype=torch.float64),
                         prior.scale_tril.expand(4, -1, -1))
    assert torch.allclose(at_prior.component_divergences(prior), torch.zeros(4, dtype=torch.float64), atol=1e-10)
    assert float(at_prior.weight_divergence(prior)) == pytest.approx(0.0, abs=1e-10)


def test_elbo_never_decreases_and_unneeded_components_switch_off(monotone_fit):
    x = clusters().double()
    model = genzoo.create("vbgmm", components=8, weight_concentration=1e-3).double()
    logged = []
    model.fit_mixture(x, iterations=1, tolerance=0.0, log=lambda i, v: logged.append(v),
                      generator=torch.Generator().manual_seed(0))
    assert logged[0]["components"] == 8  # every k-means++ seed starts with points
    monotone_fit(model, x, "elbo", iterations=60, moving=5)
    assert int((model.mixture_weights() > 0.01).sum()) == 3
    [result] = components_metric(model, EvalRequest(data="8gaussians"))
    assert result.name == "components" and result.value == 3
    assert sorted(model.mixture_weights().topk(3).values.tolist()) == pytest.approx([0.2, 0.4, 0.4], abs=0.01)


def test_samples_follow_the_predictive_student_t():
    x = clusters(20).double()
    model, _, _ = one_component_fit(x)
    draws = model.sample(40000, generator=torch.Generator().manual_seed(1)).double()
    dof, tril = model._student_t()
    covariance = (tril[0] @ tril[0].T) * dof[0] / (dof[0] - 2)
    assert torch.allclose(draws.mean(0), model.means[0], atol=0.05)
    assert torch.allclose(torch.cov(draws.T), covariance, rtol=0.05, atol=0.05)


def test_prior_degrees_of_freedom_must_exceed_dimension_minus_one():
    with pytest.raises(genzoo.errors.ConfigError, match="degrees_of_freedom must exceed D - 1 = 1"):
        genzoo.create("vbgmm", degrees_of_freedom=0.5)
