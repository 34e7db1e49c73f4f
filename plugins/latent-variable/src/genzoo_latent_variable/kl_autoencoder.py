"""The KL-regularised autoencoder of latent diffusion (Rombach et al. 2022, the "KL-f4" first stage).

    x -> conv encoder -> (mean, log var) of q(z | x), a `latent_channels` x h x w grid (28x28 -> 4x7x7)
    z = mean + std * noise in training, z = mean when encoding -> conv decoder -> image

The loss is the reconstruction error (mean squared, or mean absolute as in the paper with
`reconstruction_loss="l1"`) plus `kl_weight` times KL(q(z | x) || N(0, I)) per latent element. The weight is tiny,
as in the paper (there 1e-6 against L1 + LPIPS sums): it does not make the latents a sample-able prior, it only
keeps their scale bounded and the decoder used to the noise of nearby latents, so a diffusion model can work in
them. Diffusion standardises the latents per channel by `latent_statistics()`, the mean and spread of
the training set's posterior means, measured once after training (`KLAutoencoderStep.finish`, the role of Stable
Diffusion's scale factor). Beside the VQ-VAE, whose latents must be snapped to a codebook, these latents are
continuous, so the diffusion model's output needs no quantiser.
"""

from __future__ import annotations

from typing import ClassVar, Literal, NamedTuple

import torch
from pydantic import Field
from torch.nn import functional as F

from genzoo import Capability, GenerativeModel
from genzoo.plugin import Batch, FitData, TrainingStep, normal_kl, snap_to_levels

from genzoo_latent_variable.conv_autoencoder import (ConvAutoencoderConfig, conv_decoder, conv_encoder, from_decoder,
                                                     latent_grid, to_unit_range)

ENCODE_BATCH = 1000  # examples encoded at once when measuring the latent statistics


class KLAutoencoderConfig(ConvAutoencoderConfig):
    described_as: ClassVar[str] = "KL autoencoder"

    latent_channels: int = Field(4, ge=1, description="Channels of the latent grid (Rombach et al.'s c).")
    kl_weight: float = Field(1e-4, ge=0, description="Weight of the per-element KL against the per-pixel "
                                                     "reconstruction error.")
    reconstruction_loss: Literal["mse", "l1"] = Field(
        "mse", description="Per-pixel reconstruction error: mse, or l1 as Rombach et al. train theirs. An L1 fit is a "
                           "median, which puts a background that is nearly always black at exactly black; the mean "
                           "an MSE fit gives there is a faint grey veil (kl-autoencoder-mnist: 33% of the pixels "
                           "of its reconstructions of test digits at 1-12/255, against 0.9% in the digits).")


class KLOutput(NamedTuple):
    reconstruction: torch.Tensor  # unclamped, for the loss
    mean: torch.Tensor
    log_var: torch.Tensor


class KLAutoencoder(GenerativeModel):
    """Encodes images to a grid of continuous latents and decodes them back; see the module docstring."""

    config_class: ClassVar = KLAutoencoderConfig
    capabilities = frozenset({Capability.ENCODE, Capability.DECODE})
    default_sampler = None

    def __init__(self, config: KLAutoencoderConfig):
        super().__init__(config)
        channels = config.data.shape[0]
        self.encoder = conv_encoder(channels, config.channels, config.downsample, config.residual_blocks,
                                    2 * config.latent_channels)
        self.decoder = conv_decoder(config.latent_channels, config.channels, config.downsample,
                                    config.residual_blocks, channels)
        # Per-channel statistics of the training set's posterior means; (0, 1) until KLAutoencoderStep.finish.
        self.register_buffer("latent_mean", torch.zeros(config.latent_channels))
        self.register_buffer("latent_std", torch.ones(config.latent_channels))

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        return latent_grid(self.data_spec, self.config.latent_channels, self.config.downsample)

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean, log var) of q(z | x), each (n, latent_channels, h, w); log var kept in [-30, 20] as Rombach's."""
        mean, log_var = self.encoder(to_unit_range(x, self.data_spec)).chunk(2, dim=1)
        return mean, log_var.clamp(-30.0, 20.0)

    # -- the latent interface latent diffusion uses ---------------------------------------------
    def encode_latents(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior mean: deterministic latents (n, latent_channels, h, w)."""
        return self.posterior(x)[0]

    def decode_latents(self, z: torch.Tensor) -> torch.Tensor:
        """Images in the value_range from latents."""
        return from_decoder(self.decoder(z), self.data_spec, clamp=True)

    def latent_statistics(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-channel mean and spread (latent_channels,) of the training set's latents (see the module docstring)."""
        return self.latent_mean, self.latent_std

    # -- Encoder interface -------------------------------------------------------------------------
    def encode(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        return self.encode_latents(x)

    def decode(self, z: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Images that match the DataSpec (rounded to its levels when they are discrete)."""
        return self.decode_output(z)

    def decode_output(self, z: torch.Tensor, *, condition: torch.Tensor | None = None,
                      generator: torch.Generator | None = None, output: Literal["sample", "mean"] = "sample"):
        """What the family's `reconstruction` sampler calls: the decoder's images, rounded to the DataSpec's levels
        for output="sample" when they are discrete (the decoder is deterministic: `generator` is unused)."""
        images = self.decode_latents(z)
        if output == "mean" or self.data_spec.kind == "continuous":
            return images
        return snap_to_levels(images, self.data_spec.levels or 2, self.data_spec.value_range)

    # -- training ----------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> KLOutput:
        """Encode, draw z from q(z | x) by reparameterisation, decode without the clamp."""
        mean, log_var = self.posterior(x)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        z = mean + torch.exp(0.5 * log_var) * noise
        return KLOutput(from_decoder(self.decoder(z), self.data_spec, clamp=False), mean, log_var)


class KLAutoencoderStep(TrainingStep):
    """Reconstruction error (MSE or L1) + kl_weight x mean KL per latent element; the latent statistics after the
    last step."""

    def loss(self, model: KLAutoencoder, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        out = model(batch.x)
        error = F.l1_loss if model.config.reconstruction_loss == "l1" else F.mse_loss
        recon = error(out.reconstruction, batch.x)
        kl = normal_kl(out.mean, out.log_var, torch.zeros_like(out.mean), torch.zeros_like(out.log_var)).mean()
        return {"loss": recon + model.config.kl_weight * kl, "recon": recon.detach(), "kl": kl.detach(),
                "posterior_std": torch.exp(0.5 * out.log_var).mean().detach()}

    @torch.no_grad()
    def finish(self, model: KLAutoencoder, data: FitData) -> dict[str, float]:
        """Measure the per-channel mean and spread of the training set's posterior means."""
        was_training = model.training
        model.eval()
        latents = torch.cat([model.encode_latents(chunk) for chunk in data.all().x.split(ENCODE_BATCH)])
        model.train(was_training)
        model.latent_mean.copy_(latents.mean(dim=(0, 2, 3)))
        model.latent_std.copy_(latents.std(dim=(0, 2, 3)).clamp(min=1e-6))
        return {"latent_std_mean": float(model.latent_std.mean())}
