"""The deterministic autoencoder, trained to reconstruct, sampled through a latent mixture.

Its codes follow no prior, so decoding N(0, I) codes (the `prior` sampler) is only a baseline;
the default `latent-gmm` sampler decodes codes from the Gaussian mixture fitted on the training
codes after the last step (Ghosh et al. 2020).
"""

from __future__ import annotations

import torch
from pydantic import Field

from genzoo import Capability
from genzoo.plugin import Batch

from genzoo_latent_variable.base import LatentConfig, LatentModel
from genzoo_latent_variable.objectives import FitsLatentMixture


class AutoencoderConfig(LatentConfig):
    """An autoencoder's networks, decoder distribution and code size (see LatentConfig)."""


class Autoencoder(LatentModel):
    config_class = AutoencoderConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.ENCODE, Capability.DECODE})
    default_sampler = "latent-gmm"

    def encode(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        return self.encoder(x, self.label(condition))


class ReconstructionStep(FitsLatentMixture):
    """Minimise -log p(x | encode(x)) (binary cross-entropy for binary data), plus an optional L2 on codes."""

    code_l2: float = Field(0.0, ge=0, description="Weight of mean squared code norm; keeps codes compact (RAE).")

    def loss(self, model: Autoencoder, batch: Batch, group: str, state: dict):
        z = model.encode(batch.x, condition=batch.label if model.conditional else None)
        reconstruction = -model.reconstruction_log_prob(batch.x, z, batch.label if model.conditional else None).mean()
        code_norm = z.pow(2).sum(1).mean()
        return {"loss": reconstruction + self.code_l2 * code_norm, "recon": reconstruction, "code_norm": code_norm}
