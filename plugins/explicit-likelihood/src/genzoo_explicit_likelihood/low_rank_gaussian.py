"""A Gaussian with low-rank-plus-diagonal covariance, N(mu, W W^T + Psi): what PPCA and factor analysis share.

Both are the linear-Gaussian latent model x = W z + mu + noise, z ~ N(0, I_q), noise ~ N(0, Psi); they
differ only in Psi (isotropic s^2 I for PPCA, any positive diagonal for factor analysis) and in how
they are fitted. So the model (density, posterior over z, sampling) lives here once, and `ppca.py` /
`factor_analysis.py` add their config and fits.

The density is evaluated in the q-dimensional latent space with the Woodbury identity and the matrix
determinant lemma, never by forming the D x D covariance: with M = I + W^T Psi^-1 W,
    log|C| = sum log Psi + log|M|,  r^T C^-1 r = r^T Psi^-1 r - |L^-1 W^T Psi^-1 r|^2  (L L^T = M).
Fits work on the sample moments (mean and covariance S) in float64; `moments_log_likelihood` gives the
mean training log-likelihood from S with a dense Cholesky, a check that is independent of the
Woodbury path above.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import torch
from pydantic import Field, model_validator

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import GenzooError, standard_normal

LOG_2PI = math.log(2 * math.pi)


class LowRankGaussianConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    latent_dim: int = Field(1, ge=1, description="q, the number of latent factors (fewer than the data's dimensions).")
    min_noise_variance: float = Field(
        1e-6, ge=0, description="Floor on every noise variance, so constant pixels (digits' always-zero border) "
                                "keep the covariance invertible; 0 turns the floor off.")

    @model_validator(mode="after")
    def _fewer_factors_than_dimensions(self) -> LowRankGaussianConfig:
        if self.latent_dim >= self.data.dim:
            raise ValueError(f"latent_dim={self.latent_dim} must be below the data's {self.data.dim} dimensions "
                             "(with q >= D the low-rank form is a full Gaussian: use the 'gaussian' architecture)")
        return self


class LowRankGaussian(GenerativeModel):
    """x = W z + mu + noise: exact log_prob, encode (posterior mean of z), decode (W z + mu), ancestral sampling.

    Until fitted, W = 0 and Psi = I: the model is the standard normal.
    """

    config_class = LowRankGaussianConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB, Capability.ENCODE, Capability.DECODE})
    default_sampler = "ancestral"

    def __init__(self, config: LowRankGaussianConfig):
        super().__init__(config)
        dim = config.data.dim
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("weight", torch.zeros(dim, config.latent_dim))
        self.register_buffer("noise_variance", torch.ones(dim))

    # -- parameters --------------------------------------------------------------------------
    @torch.no_grad()
    def set_parameters(self, mean: torch.Tensor, weight: torch.Tensor, noise_variance: torch.Tensor) -> None:
        """Store a fit (any floating dtype, cast to the buffers'); refuses a singular or non-finite one."""
        check_invertible(noise_variance, self.config.min_noise_variance)
        values = {"mean": mean, "weight": weight, "noise_variance": noise_variance}
        for name, value in values.items():  # every check before any copy: a refused fit changes nothing
            if not torch.isfinite(value).all():
                raise GenzooError(f"{self.name}: the fit gave a non-finite {name}; check the data for NaN or inf")
        for name, value in values.items():
            getattr(self, name).copy_(value)

    def _compute_dtype(self) -> torch.dtype:
        """At least float32: the q x q Cholesky factorisation has no bfloat16 kernel."""
        return torch.promote_types(self.weight.dtype, torch.float32)

    def _latent_system(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """For data x, in the compute dtype: the residual r = x - mu (n, D), 1 / Psi, the Cholesky factor L
        of M = I + W^T Psi^-1 W, and W^T Psi^-1 r (q, n), which both the density and the posterior need."""
        dtype = self._compute_dtype()
        weight = self.weight.to(dtype)
        precision = self.noise_variance.to(dtype).reciprocal()
        inner = torch.eye(weight.shape[1], dtype=dtype, device=weight.device) + weight.T @ (precision[:, None] * weight)
        residual = x.reshape(len(x), -1).to(dtype) - self.mean.to(dtype)
        return residual, precision, torch.linalg.cholesky(inner), ((residual * precision) @ weight).T

    # -- likelihood and encoder ------------------------------------------------------------------
    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Exact log N(x | mu, W W^T + Psi) in nats per example (Woodbury form, see the module docstring)."""
        residual, precision, cholesky, projected = self._latent_system(x)
        latent = torch.linalg.solve_triangular(cholesky, projected, upper=False)
        mahalanobis = (residual**2 * precision).sum(1) - (latent**2).sum(0)
        log_det = -precision.log().sum() + 2 * cholesky.diagonal().log().sum()
        return -0.5 * (mahalanobis + log_det + residual.shape[1] * LOG_2PI)

    def encode(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """The posterior mean E[z | x] = M^-1 W^T Psi^-1 (x - mu), shaped (n, q)."""
        _, _, cholesky, projected = self._latent_system(x)
        return torch.cholesky_solve(projected, cholesky).T

    def decode(self, z: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """The mean of p(x | z), W z + mu, shaped like the data (not clamped: it is a mean, not a sample)."""
        dtype = self._compute_dtype()
        return (z.to(dtype) @ self.weight.to(dtype).T + self.mean.to(dtype)).reshape(len(z), *self.data_spec.shape)

    def decode_output(self, z: torch.Tensor, *, condition: torch.Tensor | None = None,
                      generator: torch.Generator | None = None, output: Literal["sample", "mean"] = "sample"
                      ) -> torch.Tensor:
        """A draw from p(x | z) = N(W z + mu, Psi), or with output="mean" its mean, clamped into a bounded
        DataSpec's range (a Gaussian has unbounded support; the data do not). The method the latent-variable
        family's `reconstruction` and `interpolation` samplers decode through, so they run on these models."""
        x = self.decode(z).reshape(len(z), -1)
        if output == "sample":
            noise = standard_normal(x.shape, generator, device=x.device, dtype=x.dtype)
            x = x + noise * self.noise_variance.to(x.dtype).sqrt()
        if self.data_spec.value_range is not None:
            x = x.clamp(*self.data_spec.value_range)
        return x.reshape(len(z), *self.data_spec.shape)

    def generate(self, n: int, *, condition=None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Ancestral draws: z ~ N(0, I), then x ~ p(x | z)."""
        z = standard_normal((n, self.weight.shape[1]), generator, device=self.weight.device,
                            dtype=self._compute_dtype())
        return self.decode_output(z, generator=generator)


# -- what the fits share ------------------------------------------------------------------------
def sample_moments(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The maximum-likelihood mean and covariance S (divided by n) of the rows of x, in float64."""
    flat = x.reshape(len(x), -1).double()
    if len(flat) < 2:
        raise GenzooError(f"a linear-Gaussian fit needs at least 2 examples, got {len(flat)}")
    if not torch.isfinite(flat).all():
        raise GenzooError("the training data hold NaN or inf values")
    mean = flat.mean(0)
    centred = flat - mean
    return mean, centred.T @ centred / len(flat)


def check_invertible(noise_variance: torch.Tensor, floor: float) -> None:
    """One clear error when some noise variance is zero: the covariance would be singular."""
    zero = int((noise_variance <= 0).sum())
    if zero:
        raise GenzooError(
            f"the covariance is singular: {zero} dimension(s) have zero noise variance (constant in the data, with "
            f"model.min_noise_variance={floor:g}); set model.min_noise_variance above 0, e.g. 1e-6")


def moments_log_likelihood(covariance: torch.Tensor, weight: torch.Tensor, noise_variance: torch.Tensor) -> float:
    """Mean log-likelihood per example of data with ML covariance S under N(mean, W W^T + Psi) at the data's mean:
    -(D log 2 pi + log|C| + tr(C^-1 S)) / 2, with a dense Cholesky of C in float64."""
    model_covariance = weight @ weight.T + torch.diag(noise_variance)
    cholesky = torch.linalg.cholesky(model_covariance)
    trace = torch.cholesky_solve(covariance, cholesky).diagonal().sum()
    log_det = 2 * cholesky.diagonal().log().sum()
    return float(-0.5 * (len(covariance) * LOG_2PI + log_det + trace))


def ppca_closed_form(covariance: torch.Tensor, latent_dim: int, floor: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Tipping & Bishop's maximum-likelihood (W, s^2) from S: s^2 the mean of the D - q smallest eigenvalues
    (at least `floor`), W = U_q (Lambda_q - s^2)^1/2, each column's largest entry made positive (eigh's
    sign is arbitrary)."""
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)  # ascending
    eigenvalues, eigenvectors = eigenvalues.flip(0), eigenvectors.flip(1)
    noise = eigenvalues[latent_dim:].mean().clamp_min(floor)
    leading = eigenvectors[:, :latent_dim]
    signs = leading.gather(0, leading.abs().argmax(0, keepdim=True)).sign()
    weight = leading * signs * (eigenvalues[:latent_dim] - noise).clamp_min(0).sqrt()
    return weight, noise


def run_em(step: Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]], weight: torch.Tensor,
           noise_variance: torch.Tensor, covariance: torch.Tensor, *, floor: float, max_iterations: int,
           tolerance: float, log: Callable[[int, dict[str, Any]], None]) -> tuple[torch.Tensor, torch.Tensor]:
    """Iterate `step(W, Psi) -> (W, Psi)` (Psi a D-vector) until the mean log-likelihood improves by less than
    `tolerance` nats per example or `max_iterations` pass, logging it after every step."""
    check_invertible(noise_variance, floor)
    previous = -math.inf
    for iteration in range(max_iterations):
        weight, noise_variance = step(weight, noise_variance)
        check_invertible(noise_variance, floor)
        log_likelihood = moments_log_likelihood(covariance, weight, noise_variance)
        log(iteration, {"log_likelihood": log_likelihood})
        if log_likelihood - previous < tolerance:
            break
        previous = log_likelihood
    return weight, noise_variance
