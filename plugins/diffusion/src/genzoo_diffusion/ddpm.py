"""DDPM in pixel space (Ho et al. 2020) with a compact UNet, unconditional or classifier-free guided.

Images in [0, 1] on L grey levels are diffused as 2x - 1 in [-1, 1]; the bound's last term is a
discretized Gaussian over the L levels, so `log_prob` is a probability mass and bits/dim need no
dequantization offset. Samples are snapped to the levels, matching the DataSpec.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from genzoo import Capability, DataSpec
from genzoo.plugin import discretized_gaussian_log_prob, snap_to_levels
from pydantic import Field, model_validator

from genzoo_diffusion.diffusion import DiffusionConfig, DiffusionModel
from genzoo_diffusion.unet import UNet

MNIST_LEVELS = DataSpec(shape=(1, 28, 28), kind="discrete", value_range=(0.0, 1.0), levels=256, num_classes=10)


class UNetSettings(DiffusionConfig):
    """The UNet's widths per resolution level; a level's index i runs at 1 / (patch_size 2^i) of the input size."""

    channels: tuple[int, ...] = Field((32, 64), min_length=1, description="Width of each resolution level.")
    blocks_per_level: int = Field(1, ge=1, description="Residual blocks per level on the way down (one more up).")
    attention_levels: tuple[int, ...] = Field((1,), description="Levels (0 = full size) with self-attention.")
    dropout: float = Field(0.0, ge=0, lt=1)
    patch_size: int = Field(2, ge=1, description="Space-to-depth factor of the input: 2 runs the UNet on 14x14x4 "
                                                 "for 28x28 MNIST, about 4x cheaper.")
    mean_path: bool = Field(False, description="Let the output depend on the features' spatial means, which "
                                               "GroupNorm removes (see unet.MeanHead): a constant per output "
                                               "channel (per patch position), needed to correct a constant offset "
                                               "such as a grey background veil at small t.")

    @model_validator(mode="after")
    def _attention_levels_exist(self):
        if any(not 0 <= level < len(self.channels) for level in self.attention_levels):
            raise ValueError(f"attention_levels must index channels (0..{len(self.channels) - 1})")
        return self

    def check_input(self, shape: tuple[int, ...]) -> None:
        """Raise ValueError unless the UNet can take inputs of `shape` (C, H, W)."""
        factor = self.patch_size * 2 ** (len(self.channels) - 1)
        if len(shape) != 3 or any(size % factor for size in shape[1:]):
            raise ValueError(f"the UNet takes (C, H, W) inputs with H and W divisible by patch_size * 2^(levels-1) "
                             f"= {factor}, got {tuple(shape)}")

    def build_unet(self, shape: tuple[int, ...], num_classes: int | None) -> UNet:
        self.check_input(shape)
        return UNet(shape[0], self.channels, self.blocks_per_level, self.attention_levels, self.dropout,
                    num_classes, self.patch_size, self.mean_path)


class UNetConfig(UNetSettings):
    data: DataSpec = MNIST_LEVELS

    @model_validator(mode="after")
    def _fits(self):
        if self.data.kind == "binary":
            raise ValueError("the UNet DDPM models grey-level or continuous images, not binary ones")
        self.check_input(self.data.shape)
        return self


class PixelDDPM(DiffusionModel):
    """DDPM on images."""

    config_class: ClassVar = UNetConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB_BOUND})
    default_sampler = "ddpm"
    clip_range: ClassVar = (-1.0, 1.0)
    bfloat16_pays: ClassVar = True

    def build_denoiser(self) -> UNet:
        return self.config.build_unet(self.data_spec.shape, self.embedded_classes())

    def to_diffusion_space(self, x: torch.Tensor) -> torch.Tensor:
        low, high = self.data_spec.value_range
        return (x - low) / (high - low) * 2 - 1

    def from_diffusion_space(self, x0: torch.Tensor) -> torch.Tensor:
        low, high = self.data_spec.value_range
        unit = ((x0.clamp(-1, 1) + 1) / 2)
        if self.data_spec.levels:
            unit = snap_to_levels(unit, self.data_spec.levels)
        return low + unit * (high - low)

    def decoder_log_likelihood(self, x0, mean, log_var):
        if not self.data_spec.levels:
            return super().decoder_log_likelihood(x0, mean, log_var)
        return discretized_gaussian_log_prob(x0, mean, log_var, self.data_spec.levels, (-1.0, 1.0))


class ConditionalPixelDDPM(PixelDDPM):
    """Class-conditional DDPM on images, trained with label dropout for classifier-free guidance."""

    capabilities = PixelDDPM.capabilities | {Capability.CONDITIONAL}
    default_sampler = "ddim"
