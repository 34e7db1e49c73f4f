"""Encoder and decoder networks shared by the AE, VAE and conditional VAE.

Two shapes of network, picked by `NetworkConfig.network`: MLPs (any DataSpec, including 2D toys)
and small convnets (images whose sides divide by 2 ** len(channels)). Both take an optional
one-hot class vector, which is how the conditional VAE conditions the encoder and the decoder.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import Field, model_validator
from torch import nn

from genzoo import DataSpec, ModelConfig


class NetworkConfig(ModelConfig):
    """Network shape of an autoencoder-type model (subclassed per architecture)."""

    network: Literal["mlp", "conv"] = Field("mlp", description="mlp: any data; conv: images only.")
    hidden: tuple[int, ...] = Field((512, 512), description="MLP hidden widths (encoder; reversed in the decoder).")
    channels: tuple[int, ...] = Field((32, 64), description="Conv channels, one stride-2 stage each.")
    latent_dim: int = Field(32, ge=1)

    @model_validator(mode="after")
    def _network_fits_data(self):
        if any(width < 1 for width in (*self.hidden, *self.channels)):
            raise ValueError("hidden widths and channels must be positive")
        if self.network == "conv":
            if not self.data.is_image:
                raise ValueError(f"network 'conv' needs image data (channels, height, width), got shape {self.data.shape}")
            if not self.channels:
                raise ValueError("network 'conv' needs at least one entry in channels")
            factor = 2 ** len(self.channels)
            if any(side % factor for side in self.data.shape[1:]):
                raise ValueError(f"image sides {self.data.shape[1:]} must divide by 2 ** len(channels) = {factor}")
        return self


def build_encoder(config: NetworkConfig, out_features: int, num_classes: int = 0) -> nn.Module:
    if config.network == "conv":
        return ConvEncoder(config.data, config.channels, out_features, num_classes)
    return MLPEncoder(config.data, config.hidden, out_features, num_classes)


def build_decoder(config: NetworkConfig, params_per_value: int, num_classes: int = 0) -> nn.Module:
    if config.network == "conv":
        return ConvDecoder(config.data, config.channels, config.latent_dim, params_per_value, num_classes)
    return MLPDecoder(config.data, config.hidden[::-1], config.latent_dim, params_per_value, num_classes)


def mlp(sizes: list[int]) -> nn.Sequential:
    """Linear layers with ReLU between them (none after the last)."""
    layers: list[nn.Module] = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(fan_in, fan_out))
        if index < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _with_label(features: torch.Tensor, label: torch.Tensor | None) -> torch.Tensor:
    return features if label is None else torch.cat([features, label.to(features.dtype)], dim=1)


class MLPEncoder(nn.Module):
    def __init__(self, data: DataSpec, hidden: tuple[int, ...], out_features: int, num_classes: int):
        super().__init__()
        self.net = mlp([data.dim + num_classes, *hidden, out_features])

    def forward(self, x: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(_with_label(x.flatten(1), label))


class MLPDecoder(nn.Module):
    """z (and the label) -> params_per_value numbers per data value, flattened."""

    def __init__(self, data: DataSpec, hidden: tuple[int, ...], latent_dim: int, params_per_value: int, num_classes: int):
        super().__init__()
        self.net = mlp([latent_dim + num_classes, *hidden, params_per_value * data.dim])

    def forward(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(_with_label(z, label))


class ConvEncoder(nn.Module):
    """Stride-2 4x4 convolutions halving the image per stage, then a linear head."""

    def __init__(self, data: DataSpec, channels: tuple[int, ...], out_features: int, num_classes: int):
        super().__init__()
        layers: list[nn.Module] = []
        previous = data.shape[0]
        for width in channels:
            layers += [nn.Conv2d(previous, width, 4, stride=2, padding=1), nn.ReLU()]
            previous = width
        self.convs = nn.Sequential(*layers, nn.Flatten())
        flat = previous * math.prod(side // 2 ** len(channels) for side in data.shape[1:])
        self.head = nn.Linear(flat + num_classes, out_features)

    def forward(self, x: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(_with_label(self.convs(x), label))


class ConvDecoder(nn.Module):
    """A linear layer to the smallest feature map, then stride-2 transposed convolutions back up."""

    def __init__(self, data: DataSpec, channels: tuple[int, ...], latent_dim: int, params_per_value: int,
                 num_classes: int):
        super().__init__()
        self.start = (channels[-1], *(side // 2 ** len(channels) for side in data.shape[1:]))
        self.head = nn.Sequential(nn.Linear(latent_dim + num_classes, math.prod(self.start)), nn.ReLU())
        layers: list[nn.Module] = []
        widths = [*channels[::-1], params_per_value * data.shape[0]]
        for index, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.ConvTranspose2d(fan_in, fan_out, 4, stride=2, padding=1))
            if index < len(widths) - 2:
                layers.append(nn.ReLU())
        self.deconvs = nn.Sequential(*layers)
        self.channels = data.shape[0]
        self.params_per_value = params_per_value

    def forward(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        features = self.head(_with_label(z, label)).reshape(len(z), *self.start)
        out = self.deconvs(features)  # (n, params_per_value * channels, h, w), params grouped first
        return out.flatten(1)
