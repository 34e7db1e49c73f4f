"""The variational autoencoder: a Gaussian posterior q(z|x), a N(0, I) prior and a decoder p(x|z).

Training objectives (ELBO, beta-ELBO, IWAE) live in `objectives`; this file is the model and its
likelihood bound. `log_prob(x, k=1)` is the ELBO (analytic KL); `log_prob(x, k=5000)` is the
importance-sampled estimate of Burda et al. (2016), a tighter lower bound that the NLL tables
report: `genzoo eval vae-mnist --metric nll --likelihood k=5000`.
"""

from __future__ import annotations

import torch

from genzoo import Capability
from genzoo.plugin import LOG_2PI, ConfigError, importance_sampled_log_prob, normal_kl

from genzoo_latent_variable.base import LatentConfig, LatentModel


class VAEConfig(LatentConfig):
    """A VAE's networks, decoder distribution and latent size (see LatentConfig)."""


class VAE(LatentModel):
    config_class = VAEConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.ENCODE, Capability.DECODE, Capability.LOG_PROB_BOUND})
    default_sampler = "prior"
    encoder_outputs_per_dim = 2

    def posterior(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance of q(z | x), each (n, latent_dim)."""
        mean, log_var = self.encoder(x, self.label(condition)).chunk(2, dim=1)
        return mean, log_var.clamp(-30.0, 20.0)

    def encode(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        return self.posterior(x, condition)[0]

    def log_weights(self, x: torch.Tensor, k: int, condition: torch.Tensor | None = None,
                    generator: torch.Generator | None = None) -> torch.Tensor:
        """log p(x, z_i) - log q(z_i | x) for k reparameterised z_i ~ q(z | x): shape (k, n).

        Differentiable, so the IWAE objective trains through it; log-mean-exp over the first axis
        is the k-sample bound.
        """
        mean, log_var = self.posterior(x, condition)
        std = torch.exp(0.5 * log_var)
        noise = torch.randn(k, *mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        z = mean + std * noise  # (k, n, d)
        log_q = (-0.5 * noise.pow(2) - 0.5 * log_var - 0.5 * LOG_2PI).sum(-1)
        log_prior = (-0.5 * z.pow(2) - 0.5 * LOG_2PI).sum(-1)
        log_lik = self.reconstruction_log_prob(_tile(x, k), z.reshape(-1, z.shape[-1]), _tile(condition, k))
        return log_lik.reshape(k, len(x)) + log_prior - log_q

    def elbo(self, x: torch.Tensor, condition: torch.Tensor | None = None,
             generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(E_q log p(x|z) from one reparameterised draw, KL(q(z|x) || N(0, I)) in closed form), each (n,)."""
        mean, log_var = self.posterior(x, condition)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        z = mean + torch.exp(0.5 * log_var) * noise
        kl = normal_kl(mean, log_var, torch.zeros_like(mean), torch.zeros_like(log_var)).sum(1)
        return self.reconstruction_log_prob(x, z, condition), kl

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None, k: int = 1,
                 chunk: int = 100, generator: torch.Generator | None = None) -> torch.Tensor:
        """A lower bound on log p(x) in nats per example: the ELBO for k=1, the IWAE bound for k>1."""
        if k < 1:
            raise ConfigError(f"k (importance samples) must be at least 1, got {k}")
        if k == 1:
            reconstruction, kl = self.elbo(x, condition, generator)
            return reconstruction - kl
        # log_weights already holds log p(x, z) - log q(z | x), so log q is passed as 0.
        return importance_sampled_log_prob(lambda m: (self.log_weights(x, m, condition, generator), 0.0), k, chunk)


def _tile(t: torch.Tensor | None, k: int) -> torch.Tensor | None:
    """k copies of a batch stacked along the first axis (matching z.reshape(k * n, d))."""
    return None if t is None else t.repeat(k, *([1] * (t.dim() - 1)))
