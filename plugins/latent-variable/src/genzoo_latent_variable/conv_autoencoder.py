"""The conv encoder and decoder of the family's image autoencoders (VQ-VAE, KL autoencoder).

    encoder: stride-2 4x4 convs (`downsample` of them), a 3x3 conv, residual blocks, a 1x1 conv to `out_channels`
    decoder: a 3x3 conv from the latents, residual blocks, stride-2 4x4 transposed convs back to the image

Both are plain nn.Sequential stacks, so the layer names in a checkpoint (encoder.0.weight, ...) are those of the
published VQ-VAE. `ConvAutoencoderConfig` holds the settings and image checks both configs share.
"""

from __future__ import annotations

from typing import ClassVar

import torch
from pydantic import Field, ValidationInfo, field_validator
from torch import nn

from genzoo import DataSpec, ModelConfig

GREY_MNIST = DataSpec(shape=(1, 28, 28), kind="continuous", value_range=(0.0, 1.0), levels=256)


class ConvAutoencoderConfig(ModelConfig):
    """The shape of a conv autoencoder over bounded images; subclasses add their latent and loss settings."""

    described_as: ClassVar[str] = "conv autoencoder"  # how error messages name the model

    data: DataSpec = GREY_MNIST
    channels: int = Field(64, ge=1, description="Width of every conv layer.")
    downsample: int = Field(2, ge=1, description="Stride-2 stages: 28x28 images give a 7x7 latent grid with 2.")
    residual_blocks: int = Field(1, ge=0)

    @field_validator("data")
    @classmethod
    def _image(cls, data: DataSpec) -> DataSpec:
        if len(data.shape) != 3 or data.value_range is None:
            raise ValueError(f"a {cls.described_as} models bounded images (channels, height, width), got shape "
                             f"{data.shape} and value_range {data.value_range}")
        return data

    @field_validator("downsample")
    @classmethod
    def _divides(cls, downsample: int, info: ValidationInfo) -> int:
        data = info.data.get("data")  # absent when `data` itself failed validation
        if data is not None:
            height, width = data.shape[1:]
            factor = 2**downsample
            if height % factor or width % factor:
                raise ValueError(f"downsample={downsample} halves the image {downsample} times, so height and width "
                                 f"must be divisible by {factor}; got {height}x{width}")
        return downsample


class ResidualBlock(nn.Module):
    """x + conv1x1(relu(conv3x3(relu(x)))), the block of the VQ-VAE paper."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1),
                                  nn.ReLU(), nn.Conv2d(channels, channels, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def conv_encoder(image_channels: int, width: int, downsample: int, residual_blocks: int,
                 out_channels: int) -> nn.Sequential:
    """Images (n, image_channels, H, W) -> (n, out_channels, H / 2^downsample, W / 2^downsample)."""
    down = [nn.Conv2d(image_channels, width, 4, stride=2, padding=1)]
    for _ in range(downsample - 1):
        down += [nn.ReLU(), nn.Conv2d(width, width, 4, stride=2, padding=1)]
    blocks = [ResidualBlock(width) for _ in range(residual_blocks)]
    return nn.Sequential(*down, nn.ReLU(), nn.Conv2d(width, width, 3, padding=1), *blocks,
                         nn.ReLU(), nn.Conv2d(width, out_channels, 1))


def conv_decoder(latent_channels: int, width: int, downsample: int, residual_blocks: int,
                 image_channels: int) -> nn.Sequential:
    """Latents (n, latent_channels, h, w) -> linear image values (n, image_channels, h 2^downsample, w 2^downsample)."""
    up = []
    for _ in range(downsample - 1):
        up += [nn.ConvTranspose2d(width, width, 4, stride=2, padding=1), nn.ReLU()]
    blocks = [ResidualBlock(width) for _ in range(residual_blocks)]
    return nn.Sequential(nn.Conv2d(latent_channels, width, 3, padding=1), *blocks, nn.ReLU(),
                         *up, nn.ConvTranspose2d(width, image_channels, 4, stride=2, padding=1))


def latent_grid(data: DataSpec, channels: int, downsample: int) -> tuple[int, int, int]:
    """(channels, h, w) of the latents of `data`'s images after `downsample` halvings."""
    _, height, width = data.shape
    factor = 2**downsample
    return channels, height // factor, width // factor


def to_unit_range(x: torch.Tensor, data: DataSpec) -> torch.Tensor:
    """Images in the value_range scaled to [-1, 1], what the encoders see."""
    low, high = data.value_range
    return (x - low) / (high - low) * 2 - 1


def from_decoder(values: torch.Tensor, data: DataSpec, *, clamp: bool) -> torch.Tensor:
    """The decoder's linear output (x scaled to [0, 1]) in the value_range; clamped unless training.

    Linear, not a sigmoid: under an MSE loss on mostly black images a sigmoid saturates within a few dozen
    steps and its vanishing gradient leaves the model reconstructing black images. Training leaves out the
    clamp, whose zero gradient would freeze a pixel pushed past the range on a target inside it."""
    low, high = data.value_range
    x = low + (high - low) * values
    return x.clamp(low, high) if clamp else x
