"""Factor analysis: x = W z + mu + noise, noise ~ N(0, Psi) with Psi diagonal, z ~ N(0, I_q).

Unlike PPCA each dimension has its own noise variance, so a pixel that the factors do not explain
costs only its own variance; there is no closed form, so it is fitted by EM (Ghahramani & Hinton
1996). The floor `min_noise_variance` on Psi matters here: digits' border pixels are always zero, and
EM would drive their variance to 0 and the covariance to singular.
"""

from __future__ import annotations

from functools import partial

import torch

from genzoo.plugin import FitData, FitStep
from genzoo_explicit_likelihood.low_rank_gaussian import (
    LowRankGaussian,
    LowRankGaussianConfig,
    ppca_closed_form,
    run_em,
    sample_moments,
)


class FactorAnalysisConfig(LowRankGaussianConfig):
    """q factors and a floor on every noise variance (see LowRankGaussianConfig)."""


class FactorAnalysis(LowRankGaussian):
    """Factor analysis: the low-rank Gaussian with a diagonal noise covariance Psi (`noise_variance`)."""

    config_class = FactorAnalysisConfig


class FactorAnalysisEM(FitStep):
    """EM started from PPCA's closed-form solution (Psi = s^2 I), each iteration one `factor_analysis_em_step`."""

    method = "EM"

    def fit(self, model: FactorAnalysis, data: FitData, log) -> None:
        mean, covariance = sample_moments(data.all().x)
        dim, floor = len(covariance), model.config.min_noise_variance
        weight, noise = ppca_closed_form(covariance, model.config.latent_dim, floor)
        weight, noise_variance = run_em(partial(factor_analysis_em_step, covariance, floor=floor), weight,
                                        noise.expand(dim), covariance, floor=floor,
                                        max_iterations=self.max_iterations, tolerance=self.tolerance, log=log)
        model.set_parameters(mean, weight, noise_variance)


def factor_analysis_em_step(covariance: torch.Tensor, weight: torch.Tensor, noise_variance: torch.Tensor, *,
                            floor: float) -> tuple[torch.Tensor, torch.Tensor]:
    """One EM iteration on the sample covariance S (Ghahramani & Hinton 1996). With M = I + W^T Psi^-1 W and
    beta = M^-1 W^T Psi^-1 (so E[z | x] = beta (x - mu)):

        W' = S beta^T (I - beta W + beta S beta^T)^-1,   Psi' = max(diag(S - W' beta S), floor).

    Both updates maximise the expected complete-data log-likelihood (the floor is that maximum under the
    constraint Psi >= floor, each Psi_i's objective being unimodal), so the log-likelihood never decreases.
    """
    identity = torch.eye(weight.shape[1], dtype=weight.dtype, device=weight.device)
    scaled = weight / noise_variance[:, None]  # Psi^-1 W
    beta = torch.linalg.solve(identity + weight.T @ scaled, scaled.T)
    projected = covariance @ beta.T  # S beta^T
    second_moment = identity - beta @ weight + beta @ projected
    new_weight = torch.linalg.solve(second_moment, projected, left=False)
    new_noise = (covariance.diagonal() - (new_weight * projected).sum(1)).clamp_min(floor)
    return new_weight, new_noise
