"""What the AE, the VAE and the conditional VAE share: networks, decoder distribution, latent mixture.

Subclasses say how x becomes a code (`encode`, and for VAEs the posterior); this base turns codes
back into data three ways: `decode` (the decoder's mean, what `genzoo encode` users and
interpolations want), `decode_output` (a sample that matches the DataSpec, or the mean on request)
and `generate` (prior codes, decoded). Samplers use only these methods, so they work on any model
of the family, and on any stranger's model that provides them.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import torch
from pydantic import Field, model_validator
from torch.nn import functional as F

from genzoo import DataSpec, GenerativeModel
from genzoo.plugin import CapabilityError, ConfigError, GaussianMixture

from genzoo_latent_variable.likelihoods import DecoderKind, output_distribution
from genzoo_latent_variable.networks import NetworkConfig, build_decoder, build_encoder

BINARIZED_MNIST = DataSpec(shape=(1, 28, 28), kind="binary", value_range=(0.0, 1.0), levels=2, num_classes=10)
Output = Literal["sample", "mean"]


class LatentConfig(NetworkConfig):
    """Networks, decoder distribution and latent mixture of an autoencoder-type model."""

    data: DataSpec = BINARIZED_MNIST
    decoder: DecoderKind = Field("auto", description="p(x|z): bernoulli (binary), logistic (levels), gaussian; auto by data.")
    mixture_components: int = Field(10, ge=0, description="Gaussian mixture fitted on training codes (0: none).")

    @model_validator(mode="after")
    def _decoder_fits_data(self):
        try:
            output_distribution(self.data, self.decoder)
        except ConfigError as error:
            raise ValueError(str(error)) from None
        return self


class LatentModel(GenerativeModel):
    config_class = LatentConfig
    encoder_outputs_per_dim: ClassVar[int] = 1  # 2 for a Gaussian posterior (mean, log-variance)

    def __init__(self, config: LatentConfig):
        super().__init__(config)
        self.output = output_distribution(config.data, config.decoder)
        classes = config.data.num_classes if self.conditional else 0
        self.encoder = build_encoder(config, self.encoder_outputs_per_dim * config.latent_dim, classes or 0)
        self.decoder = build_decoder(config, self.output.params_per_value, classes or 0)
        # Decoding codes drawn from a mixture fitted on the training codes instead of the prior
        # ("ex-post density estimation", Ghosh et al. 2020; pythae's GMM sampler) lands where the decoder
        # was trained, which gives much sharper samples for AEs and VAEs alike. Its buffers are saved with
        # the networks; until it is fitted every component is N(0, I), so it samples like the prior.
        components = config.mixture_components
        self.latent_mixture = GaussianMixture(components, config.latent_dim) if components else None

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    # -- codes -----------------------------------------------------------------------------
    def encode(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """The code of each example, (n, latent_dim): the posterior mean for VAEs."""
        raise NotImplementedError

    def label(self, condition: torch.Tensor | None) -> torch.Tensor | None:
        """The one-hot vector the networks see (None for unconditional models)."""
        if not self.conditional:
            return None
        if condition is None:
            raise CapabilityError(f"{self.name!r} is conditional: pass condition=labels")
        return F.one_hot(condition.long(), self.data_spec.num_classes).to(self.device).float()

    # -- data from codes -------------------------------------------------------------------
    def decoder_params(self, z: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(z, self.label(condition))

    def decode(self, z: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """The decoder's mean for each code, shaped like the data."""
        return self.output.mean(self.decoder_params(z, condition))

    def decode_output(self, z: torch.Tensor, *, condition: torch.Tensor | None = None,
                      generator: torch.Generator | None = None, output: Output = "sample") -> torch.Tensor:
        """A draw from p(x | z) (matches the DataSpec), or its mean for display."""
        params = self.decoder_params(z, condition)
        return self.output.sample(params, generator) if output == "sample" else self.output.mean(params)

    def reconstruction_log_prob(self, x: torch.Tensor, z: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """log p(x | z) in nats per example."""
        return self.output.log_prob(self.decoder_params(z, condition), x)

    # -- sampling --------------------------------------------------------------------------
    def sample_prior(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Codes from the standard normal (the prior of a VAE; just a baseline for an AE)."""
        return torch.randn(n, self.latent_dim, generator=generator, device=self.device)

    def generate(self, n: int, *, condition: torch.Tensor | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        return self.decode_output(self.sample_prior(n, generator), condition=condition, generator=generator)
