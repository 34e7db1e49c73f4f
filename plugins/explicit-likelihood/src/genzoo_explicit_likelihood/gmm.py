"""A Gaussian mixture density model fitted by EM: full, diagonal or spherical covariances.

The mixture itself is core's `genzoo.distributions.GaussianMixture` (k-means++ seeds, EM, a
log-likelihood that never decreases); this file makes it a zoo model: a config, an exact
`log_prob`, ancestral sampling and an EM trainer that logs the mean log-likelihood per iteration.
On image data train it on the dequantized view (`--set data.view=dequantized`): a density fitted to
the 17 exact grey levels of digits would collapse onto them, and `genzoo eval --metric nll` scores
continuous models on dequantized test images.
"""

from __future__ import annotations

import torch
from pydantic import Field

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import Covariance, GaussianMixture
from genzoo_explicit_likelihood.mixture_fitting import Log


class GMMConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    components: int = Field(10, ge=1, description="Number of Gaussian components K.")
    covariance: Covariance = Field("full", description="full, diagonal or spherical covariance matrices.")
    jitter: float = Field(1e-6, gt=0, description="Added to every variance at each M-step, so no component "
                                                 "collapses onto a point (scikit-learn's reg_covar).")


class GMM(GenerativeModel):
    """The fitted mixture lives in the `mixture` submodule's buffers; unfitted, it is N(0, I)."""

    config_class = GMMConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})
    default_sampler = "ancestral"

    def __init__(self, config: GMMConfig):
        super().__init__(config)
        self.mixture = GaussianMixture(config.components, config.data.dim, config.covariance, config.jitter)

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Exact log-density in nats per example."""
        return self.mixture.log_prob(x.reshape(len(x), -1))

    def generate(self, n: int, *, condition=None, generator: torch.Generator | None = None) -> torch.Tensor:
        """Ancestral draws: a component by weight, then a Gaussian point. Clamped into the DataSpec's value
        range when it has one (the Gaussians' tails reach past it; the density is not clamped)."""
        x = self.mixture.sample(n, generator)
        if self.data_spec.value_range is not None:
            x = x.clamp(*self.data_spec.value_range)
        return x.reshape(n, *self.data_spec.shape)

    def mixture_weights(self) -> torch.Tensor:
        return self.mixture.weights

    @torch.no_grad()
    def fit_mixture(self, x: torch.Tensor, *, iterations: int, tolerance: float, log: Log,
                    generator: torch.Generator | None = None) -> list[float]:
        """EM on the rows of x, logging the mean log-likelihood (nats per example) after each iteration;
        returns those values."""
        fit = self.mixture.fit(x.reshape(len(x), -1), generator=generator, iterations=iterations, tolerance=tolerance,
                               on_iteration=lambda i, value: log(i, {"log_likelihood": value}))
        return list(fit.history)
