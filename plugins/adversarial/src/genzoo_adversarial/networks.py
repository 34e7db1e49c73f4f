"""Generator and discriminator networks of the adversarial family.

Two shapes, picked by `NetworkConfig.network`: MLPs (any DataSpec; the 2-D toys) and DCGAN
convnets (Radford et al. 2016: images whose sides divide by 2 ** len(channels), e.g. 1x28x28 MNIST
and 3x28x28 stacked MNIST): a transposed-convolution generator with batch norm and ReLU, a strided
convolution discriminator with LeakyReLU(0.2), no pooling and no fully connected hidden layer.
The same convnets with 3-D convolutions take volumes (channels, depth, height, width): 3D-GAN's
networks (Wu et al. 2016) are exactly DCGAN's made volumetric.

Both networks take an optional one-hot class vector (how conditional GANs see labels: appended to
z, to the flattened input of an MLP discriminator, or as constant channels of a conv
discriminator's input) and the discriminator packs `pack` consecutive examples into one input
(PacGAN, Lin et al. 2018), so it returns one row of `out_features` logits per pack. The generator
returns unsquashed values; the model maps them into the DataSpec's range.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

import torch
from pydantic import Field, model_validator
from torch import nn

from genzoo import DataSpec, ModelConfig
from genzoo.plugin import ConfigError

POINTS_2D = DataSpec(shape=(2,), value_range=None)
LEAKY_SLOPE = 0.2  # DCGAN's LeakyReLU slope, used by every discriminator here
DCGAN_INIT_STD = 0.02  # DCGAN's N(0, 0.02) weight initialisation


class NetworkConfig(ModelConfig):
    """Network shapes of a GAN (subclassed by each architecture's config)."""

    data: DataSpec = POINTS_2D
    network: Literal["mlp", "conv"] = Field("mlp", description="mlp: any data; conv: DCGAN convnets for images "
                                                               "(2-D convolutions) or volumes (3-D).")
    latent_dim: int = Field(2, ge=1, description="Dimension of the generator's N(0, I) input z.")
    generator_hidden: tuple[int, ...] = Field((128, 128, 128), description="MLP generator hidden widths.")
    discriminator_hidden: tuple[int, ...] = Field((128, 128, 128), description="MLP discriminator hidden widths.")
    channels: tuple[int, ...] = Field((64, 128), description="Conv discriminator widths, one stride-2 stage each "
                                                             "(the generator mirrors them).")
    generator_batch_norm: bool = Field(True, description="Batch norm after each hidden generator layer.")
    discriminator_batch_norm: bool = Field(False, description="Batch norm in the conv discriminator (not its first "
                                                              "stage); never with a gradient penalty.")
    spectral_norm: bool = Field(False, description="Spectral normalisation of every discriminator layer (SNGAN).")
    pack: int = Field(1, ge=1, description="Examples the discriminator sees together (PacGAN); batches must divide.")

    @model_validator(mode="after")
    def _networks_fit_data(self):
        if any(width < 1 for width in (*self.generator_hidden, *self.discriminator_hidden, *self.channels)):
            raise ValueError("hidden widths and channels must be positive")
        if self.data.dtype == "int64":
            raise ValueError("a GAN generates real values: train it on a float view (--set data.view=continuous), "
                             "not on int64 level indices")
        if self.network == "conv":
            if not (self.data.is_image or len(self.data.shape) == 4):
                raise ValueError(f"network 'conv' needs image data (channels, height, width) or volumes (channels, "
                                 f"depth, height, width), got shape {self.data.shape}")
            if not self.channels:
                raise ValueError("network 'conv' needs at least one entry in channels")
            factor = 2 ** len(self.channels)
            if any(side % factor for side in self.data.shape[1:]):
                raise ValueError(f"image sides {self.data.shape[1:]} must divide by 2 ** len(channels) = {factor}")
        return self


def build_generator(config: NetworkConfig, num_classes: int = 0) -> nn.Module:
    """z (n, latent_dim) and an optional one-hot label -> unsquashed data (n, *data.shape)."""
    if config.network == "conv":
        return ConvGenerator(config, num_classes)
    return MLPGenerator(config, num_classes)


def build_discriminator(config: NetworkConfig, out_features: int = 1, num_classes: int = 0) -> nn.Module:
    """x (n, *data.shape) and an optional one-hot label -> logits (n // pack, out_features)."""
    kind = ConvDiscriminator if config.network == "conv" else MLPDiscriminator
    network = kind(config, out_features, num_classes)
    if config.spectral_norm:
        for layer in list(network.modules()):
            if isinstance(layer, nn.Linear | nn.Conv2d | nn.Conv3d):
                nn.utils.parametrizations.spectral_norm(layer)
    return network


def with_label(z: torch.Tensor, label: torch.Tensor | None) -> torch.Tensor:
    """Features with the one-hot label appended along dimension 1 (as constant maps for images and volumes)."""
    if label is None:
        return z
    label = label.to(z.dtype)
    if z.dim() > 2:
        label = label.reshape(*label.shape, *(1,) * (z.dim() - 2)).expand(-1, -1, *z.shape[2:])
    return torch.cat([z, label], dim=1)


def pack_examples(x: torch.Tensor, pack: int) -> torch.Tensor:
    """(n, c, ...) -> (n // pack, pack * c, ...): consecutive examples stacked along dimension 1."""
    if len(x) % pack:
        raise ConfigError(f"a batch of {len(x)} examples does not divide into packs of {pack}: pick a batch size "
                          "that does")
    return x.reshape(len(x) // pack, pack * x.shape[1], *x.shape[2:])


def dcgan_init_(module: nn.Module) -> None:
    """DCGAN's initialisation: conv weights N(0, 0.02); batch-norm scales N(1, 0.02), shifts 0."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d | nn.Conv3d | nn.ConvTranspose3d):
            nn.init.normal_(layer.weight, 0.0, DCGAN_INIT_STD)
            nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.BatchNorm2d | nn.BatchNorm3d):
            nn.init.normal_(layer.weight, 1.0, DCGAN_INIT_STD)
            nn.init.zeros_(layer.bias)


class MLPGenerator(nn.Module):
    def __init__(self, config: NetworkConfig, num_classes: int):
        super().__init__()
        layers: list[nn.Module] = []
        previous = config.latent_dim + num_classes
        for width in config.generator_hidden:
            layers.append(nn.Linear(previous, width))
            if config.generator_batch_norm:
                layers.append(nn.BatchNorm1d(width))
            layers.append(nn.ReLU())
            previous = width
        layers.append(nn.Linear(previous, config.data.dim))
        self.net = nn.Sequential(*layers)
        self.shape = config.data.shape

    def forward(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(with_label(z, label)).reshape(len(z), *self.shape)


class MLPDiscriminator(nn.Module):
    def __init__(self, config: NetworkConfig, out_features: int, num_classes: int):
        super().__init__()
        layers: list[nn.Module] = []
        previous = config.pack * (config.data.dim + num_classes)
        for width in config.discriminator_hidden:
            layers += [nn.Linear(previous, width), nn.LeakyReLU(LEAKY_SLOPE)]
            previous = width
        layers.append(nn.Linear(previous, out_features))
        self.net = nn.Sequential(*layers)
        self.pack = config.pack

    def forward(self, x: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(pack_examples(with_label(x.flatten(1), label), self.pack))


def spatial_layers(data: DataSpec) -> tuple[type[nn.Module], type[nn.Module], type[nn.Module]]:
    """(convolution, transposed convolution, batch norm) of the data's spatial dimensions: 2-D for images
    (c, h, w), 3-D for volumes (c, d, h, w)."""
    if len(data.shape) == 4:
        return nn.Conv3d, nn.ConvTranspose3d, nn.BatchNorm3d
    return nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d


class ConvGenerator(nn.Module):
    """z as a 1x1 map -> a transposed conv to the smallest feature map, then stride-2 stages up to the image
    (or volume)."""

    def __init__(self, config: NetworkConfig, num_classes: int):
        super().__init__()
        _, transposed, batch_norm = spatial_layers(config.data)
        stages = len(config.channels)
        start = tuple(side // 2**stages for side in config.data.shape[1:])
        widths = [*config.channels[::-1], config.data.shape[0]]
        layers: list[nn.Module] = [transposed(config.latent_dim + num_classes, widths[0], start)]
        for fan_in, fan_out in pairwise(widths):
            if config.generator_batch_norm:
                layers.append(batch_norm(fan_in))
            layers += [nn.ReLU(), transposed(fan_in, fan_out, 4, stride=2, padding=1)]
        self.net = nn.Sequential(*layers)
        self.spatial = len(start)
        dcgan_init_(self)

    def forward(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        features = with_label(z, label)
        return self.net(features.reshape(*features.shape, *(1,) * self.spatial))


class ConvDiscriminator(nn.Module):
    """Stride-2 4x4 (4x4x4) convolutions halving the image (volume) per stage, then one conv covering the whole
    map."""

    def __init__(self, config: NetworkConfig, out_features: int, num_classes: int):
        super().__init__()
        conv, _, batch_norm = spatial_layers(config.data)
        stages = len(config.channels)
        previous = config.pack * (config.data.shape[0] + num_classes)
        layers: list[nn.Module] = []
        for index, width in enumerate(config.channels):
            layers.append(conv(previous, width, 4, stride=2, padding=1))
            if config.discriminator_batch_norm and index > 0:
                layers.append(batch_norm(width))
            layers.append(nn.LeakyReLU(LEAKY_SLOPE))
            previous = width
        end = tuple(side // 2**stages for side in config.data.shape[1:])
        layers += [conv(previous, out_features, end), nn.Flatten()]
        self.net = nn.Sequential(*layers)
        self.pack = config.pack
        dcgan_init_(self)

    def forward(self, x: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(pack_examples(with_label(x, label), self.pack))
