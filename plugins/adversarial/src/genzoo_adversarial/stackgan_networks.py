"""StackGAN's networks (Zhang et al. 2017, Figure 2), scaled down for 28x28 digits.

- `ConditioningAugmentation`: the condition (the paper's text embedding, here a one-hot class label) -> mu and
  log sigma by one linear layer, and c = mu + sigma * eps drawn from the caller's generator. Sampling c instead of
  using a fixed code gives the generator many codes per condition (smoother conditioning manifold); the KL term
  that keeps it near N(0, I) is in stackgan_losses.py.
- `StageOneGenerator`: [z, c] -> a linear layer to the smallest map, DCGAN transposed-conv upsampling stages
  (4x4, stride 2, batch norm, ReLU; the paper uses nearest-neighbour upsampling + 3x3 conv, 2.25x the
  multiply-adds), a 3x3 conv to the low-resolution image.
- `StageTwoGenerator`: the stage-I image -> a 3x3 conv and one stride-2 downsampling conv, c replicated over the
  map and concatenated, a joint 3x3 conv, residual blocks (SRGAN's, conv-BN-PReLU-conv-BN; the paper's use ReLU),
  then transposed-conv upsampling stages to the full image: 2 x the stage-I factor.
- `LabelledDiscriminator` (both stages): stride-2 4x4 convs (LeakyReLU 0.2, batch norm after the first) down to a
  small map, the one-hot label replicated over it and concatenated late (as the paper concatenates its compressed
  text embedding), a 1x1 conv and one conv covering the map: one logit.

Generators return unsquashed values; the model maps them into the DataSpec's range.
"""

from __future__ import annotations

from itertools import pairwise

import torch
from torch import nn

from genzoo_adversarial.networks import LEAKY_SLOPE, dcgan_init_, with_label
from genzoo_adversarial.noise import normal
from genzoo_adversarial.srgan_networks import ResidualBlock


def _upsampling(widths: list[int]) -> list[nn.Module]:
    """One DCGAN stage per consecutive pair of widths: transposed conv 4x4 / stride 2, batch norm, ReLU."""
    layers: list[nn.Module] = []
    for fan_in, fan_out in pairwise(widths):
        layers += [nn.ConvTranspose2d(fan_in, fan_out, 4, stride=2, padding=1), nn.BatchNorm2d(fan_out), nn.ReLU()]
    return layers


class ConditioningAugmentation(nn.Module):
    """One-hot condition (n, classes) -> (c, mu, log_sigma), each (n, code_dim)."""

    def __init__(self, num_classes: int, code_dim: int):
        super().__init__()
        self.linear = nn.Linear(num_classes, 2 * code_dim)

    def forward(self, condition: torch.Tensor, generator: torch.Generator | None = None):
        mu, log_sigma = self.linear(condition).chunk(2, dim=1)
        eps = normal(tuple(mu.shape), generator, mu.device)
        return mu + log_sigma.exp() * eps, mu, log_sigma


class StageOneGenerator(nn.Module):
    """(z, c) -> (n, image_channels, side, side); widths[0] at side / 2 ** (len(widths) - 1), one stage per step."""

    def __init__(self, latent_dim: int, code_dim: int, widths: tuple[int, ...], image_channels: int, side: int):
        super().__init__()
        self.start = side // 2 ** (len(widths) - 1)
        self.first = widths[0]
        self.project = nn.Sequential(nn.Linear(latent_dim + code_dim, widths[0] * self.start**2),
                                     nn.BatchNorm1d(widths[0] * self.start**2), nn.ReLU())
        self.body = nn.Sequential(*_upsampling(list(widths)), nn.Conv2d(widths[-1], image_channels, 3, padding=1))
        dcgan_init_(self)

    def forward(self, z: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        start = self.project(with_label(z, code)).reshape(len(z), self.first, self.start, self.start)
        return self.body(start)


class StageTwoGenerator(nn.Module):
    """(stage-I image, c) -> the image `factor` times larger: down once, residual blocks, up log2(factor) + 1 times."""

    def __init__(self, image_channels: int, code_dim: int, width: int, residual_blocks: int, factor: int):
        super().__init__()
        self.encode = nn.Sequential(
            nn.Conv2d(image_channels, max(width // 2, 1), 3, padding=1), nn.ReLU(),
            nn.Conv2d(max(width // 2, 1), width, 4, stride=2, padding=1), nn.BatchNorm2d(width), nn.ReLU())
        self.joint = nn.Sequential(nn.Conv2d(width + code_dim, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU())
        self.residual = nn.Sequential(*(ResidualBlock(width) for _ in range(residual_blocks)))
        stages = factor.bit_length()  # log2(factor) + 1: the downsampling stage undone, then the factor
        widths = [max(width // 2**i, 1) for i in range(stages + 1)]
        self.decode = nn.Sequential(*_upsampling(widths), nn.Conv2d(widths[-1], image_channels, 3, padding=1))
        dcgan_init_(self)

    def forward(self, low: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        joint = self.joint(with_label(self.encode(low), code))
        return self.decode(joint + self.residual(joint))


class LabelledDiscriminator(nn.Module):
    """(image (n, c, side, side), one-hot label (n, classes)) -> one realness logit per image, (n,)."""

    def __init__(self, image_channels: int, side: int, widths: tuple[int, ...], num_classes: int):
        super().__init__()
        layers: list[nn.Module] = []
        previous = image_channels
        for index, width in enumerate(widths):
            layers.append(nn.Conv2d(previous, width, 4, stride=2, padding=1))
            if index > 0:
                layers.append(nn.BatchNorm2d(width))
            layers.append(nn.LeakyReLU(LEAKY_SLOPE))
            previous = width
        self.features = nn.Sequential(*layers)
        end = side // 2 ** len(widths)  # a 4x4 / stride 2 / padding 1 conv maps s to floor(s / 2)
        self.head = nn.Sequential(nn.Conv2d(previous + num_classes, previous, 1), nn.BatchNorm2d(previous),
                                  nn.LeakyReLU(LEAKY_SLOPE), nn.Conv2d(previous, 1, end), nn.Flatten())
        dcgan_init_(self)

    def forward(self, x: torch.Tensor, label: torch.Tensor) -> torch.Tensor:
        return self.head(with_label(self.features(x), label)).squeeze(1)
