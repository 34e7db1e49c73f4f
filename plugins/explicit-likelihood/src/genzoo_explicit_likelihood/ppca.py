"""Probabilistic PCA (Tipping & Bishop 1999): x = W z + mu + noise, noise ~ N(0, s^2 I), z ~ N(0, I_q).

Its maximum-likelihood fit has a closed form (the q leading eigenvectors of the sample covariance,
`PPCAClosedForm`, the default trainer); `PPCAEM` reaches the same optimum by EM, the route that scales
to missing data and mixtures, and logs a log-likelihood that never decreases.
"""

from __future__ import annotations

from functools import partial

import torch
from pydantic import Field

from genzoo.plugin import FitData, FitStep
from genzoo_explicit_likelihood.low_rank_gaussian import (
    LowRankGaussian,
    LowRankGaussianConfig,
    moments_log_likelihood,
    ppca_closed_form,
    run_em,
    sample_moments,
)


class PPCAConfig(LowRankGaussianConfig):
    """q latent dimensions and a floor on s^2 (see LowRankGaussianConfig)."""


class PPCA(LowRankGaussian):
    """PPCA: the low-rank Gaussian with isotropic noise; `noise_variance` holds s^2 in every entry."""

    config_class = PPCAConfig


class PPCAClosedForm(FitStep):
    """The exact maximum-likelihood solution from one eigendecomposition (one logged iteration)."""

    def fit(self, model: PPCA, data: FitData, log) -> None:
        mean, covariance = sample_moments(data.all().x)
        weight, noise = ppca_closed_form(covariance, model.config.latent_dim, model.config.min_noise_variance)
        noise_variance = noise.expand(len(covariance))
        model.set_parameters(mean, weight, noise_variance)
        log(0, {"log_likelihood": moments_log_likelihood(covariance, weight, noise_variance)})


class PPCAEM(FitStep):
    """EM from a random W and s^2 = tr(S) / D, each iteration one `ppca_em_step`."""

    method = "EM"
    seed: int = Field(0, description="Seeds the random initial W.")

    def fit(self, model: PPCA, data: FitData, log) -> None:
        mean, covariance = sample_moments(data.all().x)
        dim, latent_dim, floor = len(covariance), model.config.latent_dim, model.config.min_noise_variance
        generator = torch.Generator(device=covariance.device).manual_seed(self.seed)
        weight = torch.randn(dim, latent_dim, generator=generator, device=covariance.device, dtype=covariance.dtype)
        weight *= (covariance.diagonal().mean() / latent_dim).sqrt()
        noise_variance = (covariance.trace() / dim).clamp_min(floor).expand(dim)
        weight, noise_variance = run_em(partial(ppca_em_step, covariance, floor=floor), weight, noise_variance,
                                        covariance, floor=floor, max_iterations=self.max_iterations,
                                        tolerance=self.tolerance, log=log)
        model.set_parameters(mean, weight, noise_variance)


def ppca_em_step(covariance: torch.Tensor, weight: torch.Tensor, noise_variance: torch.Tensor, *,
                 floor: float) -> tuple[torch.Tensor, torch.Tensor]:
    """One EM iteration on the sample covariance S (Tipping & Bishop 1999, eqs. 29-30), s^2 kept >= floor:

        M = W^T W + s^2 I,   W' = S W (s^2 I + M^-1 W^T S W)^-1,   s'^2 = tr(S - S W M^-1 W'^T) / D.
    """
    dim, latent_dim = weight.shape
    noise = noise_variance[0]
    identity = torch.eye(latent_dim, dtype=weight.dtype, device=weight.device)
    inner = weight.T @ weight + noise * identity
    spread = covariance @ weight  # S W
    new_weight = torch.linalg.solve(noise * identity + torch.linalg.solve(inner, weight.T @ spread), spread, left=False)
    explained = torch.trace(spread @ torch.linalg.solve(inner, new_weight.T))
    new_noise = ((covariance.trace() - explained) / dim).clamp_min(floor)
    return new_weight, new_noise.expand(dim)
