"""SRGAN's networks (Ledig et al. 2017, Figure 4), scaled down for 28x28 digits.

Generator (SRResNet): a 9x9 convolution and PReLU, `residual_blocks` blocks of
conv3-BN-PReLU-conv3-BN with an identity skip, a conv3-BN closing the trunk with a skip from
before it, then one sub-pixel stage per factor 2 of the scale (conv3 to 4C channels, PixelShuffle(2),
PReLU) and a 9x9 convolution to the image channels. The trunk runs at the input's resolution, so
most of the work is done on 7x7 maps. It returns unsquashed values; the model maps them into the
DataSpec's range.

Discriminator: a conv3 and LeakyReLU(0.2), then pairs of conv3-BN-LeakyReLU blocks per entry of
`channels` (stride 1, then stride 2, halving the map), and the paper's two dense layers (a hidden
layer, LeakyReLU, one logit).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from genzoo_adversarial.networks import LEAKY_SLOPE



class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels), nn.PReLU(channels),
            nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SRResNet(nn.Module):
    """Maps (n, c, h, w) to (n, c, scale*h, scale*w); `scale` is a power of two."""

    def __init__(self, image_channels: int, channels: int, residual_blocks: int, scale: int):
        super().__init__()
        self.head = nn.Sequential(nn.Conv2d(image_channels, channels, 9, padding=4), nn.PReLU(channels))
        self.trunk = nn.Sequential(*(ResidualBlock(channels) for _ in range(residual_blocks)),
                                   nn.Conv2d(channels, channels, 3, padding=1), nn.BatchNorm2d(channels))
        stages = []
        for _ in range(int(math.log2(scale))):
            stages += [nn.Conv2d(channels, 4 * channels, 3, padding=1), nn.PixelShuffle(2), nn.PReLU(channels)]
        self.upsample = nn.Sequential(*stages)
        self.tail = nn.Conv2d(channels, image_channels, 9, padding=4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.head(x)
        return self.tail(self.upsample(features + self.trunk(features)))


class SRDiscriminator(nn.Module):
    """One realness logit per image of shape (image_channels, height, width)."""

    def __init__(self, image_channels: int, height: int, width: int, channels: tuple[int, ...], hidden: int):
        super().__init__()
        first = channels[0]
        layers: list[nn.Module] = [nn.Conv2d(image_channels, first, 3, padding=1), nn.LeakyReLU(LEAKY_SLOPE)]
        previous = first
        for index, width_out in enumerate(channels):
            # The paper's first block is the stride-2 one after the input convolution; later widths add a stride-1 one.
            strides = (2,) if index == 0 else (1, 2)
            for stride in strides:
                layers += [nn.Conv2d(previous, width_out, 3, stride=stride, padding=1), nn.BatchNorm2d(width_out),
                           nn.LeakyReLU(LEAKY_SLOPE)]
                previous = width_out
        for _ in channels:
            height, width = (height + 1) // 2, (width + 1) // 2
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(previous * height * width, hidden),
                                        nn.LeakyReLU(LEAKY_SLOPE), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x)).squeeze(1)
