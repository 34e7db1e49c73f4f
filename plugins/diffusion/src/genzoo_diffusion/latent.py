"""Latent diffusion (Rombach et al. 2022): the UNet DDPM in the latent space of a registered autoencoder.

The autoencoder is configured by name (`autoencoder="kl-autoencoder-mnist"` or `"vqvae-mnist"`: a pretrained
name, a checkpoint folder or an hf:// reference) and loaded through genzoo's registry, so this family never
imports the family that provides it. It must offer the latent interface: `latent_shape`, `encode_latents(x)` ->
continuous latents (n, C, h, w), `decode_latents(z)` -> images (a VQ-VAE snaps z to its nearest codes there, so
the quantizer is part of the decoder as in Rombach et al.) and `latent_statistics()` -> per-channel mean and
spread (C,), by which latents are standardised (the role of Stable Diffusion's scale factor: a KL autoencoder
measures them on its training set, a VQ-VAE takes them from its codebook). Its weights are frozen and are not
part of this model's checkpoint: the registry pins them by sha256, and the name is in this model's config.

`ldm-cond` is the class-conditional variant with classifier-free guidance, like `ddpm-cond`.
"""

from __future__ import annotations

from typing import ClassVar

import genzoo
import torch
from genzoo import Capability, DataSpec
from genzoo.plugin import GenzooError
from pydantic import Field

from genzoo_diffusion.ddpm import UNetSettings
from genzoo_diffusion.diffusion import DiffusionModel
from genzoo_diffusion.unet import UNet

MNIST_GREY = DataSpec(shape=(1, 28, 28), kind="continuous", value_range=(0.0, 1.0), levels=256, num_classes=10)
LATENT_INTERFACE = ("encode_latents", "decode_latents", "latent_statistics")


class LatentDiffusionConfig(UNetSettings):
    data: DataSpec = MNIST_GREY
    autoencoder: str = Field("kl-autoencoder-mnist", description="The registered autoencoder whose latents are "
                                                                 "diffused (kl-autoencoder-mnist, vqvae-mnist, a "
                                                                 "checkpoint folder).")
    channels: tuple[int, ...] = Field((64,), min_length=1, description="Width of each resolution level.")
    blocks_per_level: int = Field(2, ge=1, description="Residual blocks per level on the way down (one more up).")
    attention_levels: tuple[int, ...] = Field((0,), description="Levels (0 = latent size) with self-attention.")
    patch_size: int = Field(1, ge=1, description="Space-to-depth factor of the latents.")


class LatentDiffusion(DiffusionModel):
    """DDPM over standardised autoencoder latents; samples are decoded by the frozen autoencoder."""

    config_class: ClassVar = LatentDiffusionConfig
    capabilities = frozenset({Capability.SAMPLE})
    default_sampler = "ddim"
    bfloat16_pays: ClassVar = True

    def __init__(self, config: LatentDiffusionConfig):
        autoencoder = load_autoencoder(config.autoencoder, config.data)
        # Not a submodule: its weights stay out of state_dict, the optimizer and the EMA.
        object.__setattr__(self, "autoencoder", autoencoder)
        super().__init__(config)
        mean, std = (statistic.detach().clone() for statistic in autoencoder.latent_statistics())
        self.register_buffer("latent_mean", mean[:, None, None], persistent=False)
        self.register_buffer("latent_std", std[:, None, None].clamp(min=1e-6), persistent=False)

    def build_denoiser(self) -> UNet:
        return self.config.build_unet(self.diffusion_shape, self.embedded_classes())

    @property
    def diffusion_shape(self) -> tuple[int, ...]:
        return tuple(self.autoencoder.latent_shape)

    def _apply(self, fn, recurse=True):
        """Move and cast the hidden autoencoder with the model (`.to(device)`, `.double()`)."""
        super()._apply(fn, recurse)
        self.autoencoder._apply(fn, recurse)
        return self

    @torch.no_grad()
    def to_diffusion_space(self, x: torch.Tensor) -> torch.Tensor:
        return (self.autoencoder.encode_latents(x) - self.latent_mean) / self.latent_std

    @torch.no_grad()
    def from_diffusion_space(self, x0: torch.Tensor) -> torch.Tensor:
        return self.autoencoder.decode_latents(x0 * self.latent_std + self.latent_mean)


def load_autoencoder(name: str, data: DataSpec):
    """The named autoencoder, frozen, after checking it has the latent interface and this DataSpec."""
    autoencoder = genzoo.load(name)
    missing = [method for method in LATENT_INTERFACE if not callable(getattr(autoencoder, method, None))]
    if missing:
        raise GenzooError(f"autoencoder {name!r} lacks {', '.join(missing)}: latent diffusion needs an autoencoder "
                          f"with {', '.join(LATENT_INTERFACE)} (kl-autoencoder, vqvae)")
    if tuple(autoencoder.data_spec.shape) != tuple(data.shape):
        raise GenzooError(f"autoencoder {name!r} models {autoencoder.data_spec.shape} data, this model {data.shape}")
    autoencoder.eval().requires_grad_(False)
    return autoencoder


class ConditionalLatentDiffusion(LatentDiffusion):
    """Class-conditional latent diffusion, trained with label dropout for classifier-free guidance."""

    capabilities = LatentDiffusion.capabilities | {Capability.CONDITIONAL}
