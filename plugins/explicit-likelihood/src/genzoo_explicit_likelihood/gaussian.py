"""A full-covariance Gaussian: the simplest model with an exact likelihood, and the baseline.

Parameterised by a mean and a lower-triangular Cholesky factor whose diagonal is kept positive
through a softplus, so gradient training and the closed-form fit (`fit_closed_form`) share one
parameterisation.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig


class GaussianConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    min_std: float = 1e-3  # keeps the covariance invertible on degenerate data (constant pixels)


class Gaussian(GenerativeModel):
    config_class = GaussianConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})
    default_sampler = "ancestral"

    def __init__(self, config: GaussianConfig):
        super().__init__(config)
        dim = config.data.dim
        self.mean = nn.Parameter(torch.zeros(dim))
        self.raw_diagonal = nn.Parameter(torch.full((dim,), _softplus_inverse(1.0)))
        self.off_diagonal = nn.Parameter(torch.zeros(dim, dim))

    def scale_tril(self) -> torch.Tensor:
        diagonal = F.softplus(self.raw_diagonal) + self.config.min_std
        return torch.tril(self.off_diagonal, diagonal=-1) + torch.diag(diagonal)

    def distribution(self) -> torch.distributions.MultivariateNormal:
        return torch.distributions.MultivariateNormal(self.mean, scale_tril=self.scale_tril())

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Exact log-density in nats per example."""
        return self.distribution().log_prob(x.reshape(len(x), -1).to(self.mean.dtype))

    def generate(self, n: int, *, condition=None, generator: torch.Generator | None = None) -> torch.Tensor:
        noise = torch.randn(n, self.mean.numel(), generator=generator, device=self.mean.device, dtype=self.mean.dtype)
        x = self.mean + noise @ self.scale_tril().T
        if self.data_spec.value_range is not None:  # a Gaussian has unbounded support; the data does not
            x = x.clamp(*self.data_spec.value_range)
        return x.reshape(n, *self.data_spec.shape)

    @torch.no_grad()
    def fit_closed_form(self, x: torch.Tensor) -> None:
        """Set the maximum-likelihood mean and covariance of `x`."""
        flat = x.reshape(len(x), -1).to(self.mean.dtype)
        self.mean.copy_(flat.mean(0))
        covariance = torch.cov(flat.T).reshape(self.mean.numel(), -1)
        covariance += torch.eye(len(covariance)) * self.config.min_std**2
        tril = torch.linalg.cholesky(covariance)
        diagonal = (tril.diagonal() - self.config.min_std).clamp_min(1e-6)
        self.raw_diagonal.copy_(_softplus_inverse(diagonal))
        self.off_diagonal.copy_(torch.tril(tril, diagonal=-1))


def _softplus_inverse(y):
    y = torch.as_tensor(y, dtype=torch.float32)
    return y + torch.log(-torch.expm1(-y))
