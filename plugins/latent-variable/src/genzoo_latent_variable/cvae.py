"""The conditional VAE (Sohn et al. 2015): encoder q(z | x, y) and decoder p(x | z, y) both see the label.

The prior stays N(0, I) for every class, so `sample(n, condition=labels)` decodes prior codes
with the requested labels; the code then carries style, the label carries the class.
"""

from __future__ import annotations

from pydantic import model_validator

from genzoo import Capability

from genzoo_latent_variable.vae import VAE, VAEConfig


class ConditionalVAEConfig(VAEConfig):
    @model_validator(mode="after")
    def _has_classes(self):
        if not self.data.num_classes:
            raise ValueError("a conditional VAE needs data with num_classes")
        return self


class ConditionalVAE(VAE):
    config_class = ConditionalVAEConfig
    capabilities = VAE.capabilities | {Capability.CONDITIONAL}
