"""CycleGAN's generator (Zhu et al. 2017, after Johnson et al. 2016): encode, residual blocks, decode.

c7s1-w (a 7x7 convolution on a reflection-padded image), `downsamplings` 3x3 stride-2 convolutions
doubling the width, `blocks` residual blocks at the bottleneck (two reflection-padded 3x3
convolutions, identity skip), as many 3x3 stride-2 transposed convolutions halving it back, and a
final c7s1 convolution to the output channels; instance norm and ReLU after every convolution but
the last, as in the reference (junyanz/pytorch-CycleGAN-and-pix2pix, `ResnetGenerator`). Unlike
the U-Net it has no skips from encoder to decoder: the image must pass the bottleneck, which suits
translations that change shape (a stroke's width) rather than copy structure. The paper uses
w = 64, 2 downsamplings and 9 blocks at 256x256; MNIST's 28x28 goes to 7x7 with the same 2.
The output is unsquashed (the model maps it into its DataSpec's range); weights start N(0, 0.02).
"""

from __future__ import annotations

import torch
from torch import nn

from genzoo_adversarial.networks import dcgan_init_


class ResidualBlock(nn.Module):
    """x + conv(relu(norm(conv(x)))) with reflection padding, width unchanged."""

    def __init__(self, width: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), nn.InstanceNorm2d(width), nn.ReLU(),
            nn.ReflectionPad2d(1), nn.Conv2d(width, width, 3), nn.InstanceNorm2d(width),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class ResNetGenerator(nn.Module):
    """(n, in, h, w) -> unsquashed (n, out, h, w); h and w must divide by 2 ** downsamplings."""

    def __init__(self, in_channels: int, out_channels: int, width: int = 64, blocks: int = 9, downsamplings: int = 2):
        super().__init__()
        if width < 1 or blocks < 0 or downsamplings < 0:
            raise ValueError(f"width >= 1, blocks >= 0 and downsamplings >= 0 are needed, got {width}, {blocks}, "
                             f"{downsamplings}")
        self.multiple = 2**downsamplings
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, width, 7), nn.InstanceNorm2d(width),
                                   nn.ReLU()]
        for level in range(downsamplings):
            fan_in = width * 2**level
            layers += [nn.Conv2d(fan_in, 2 * fan_in, 3, stride=2, padding=1), nn.InstanceNorm2d(2 * fan_in), nn.ReLU()]
        bottleneck = width * 2**downsamplings
        layers += [ResidualBlock(bottleneck) for _ in range(blocks)]
        for level in reversed(range(downsamplings)):
            fan_out = width * 2**level
            layers += [nn.ConvTranspose2d(2 * fan_out, fan_out, 3, stride=2, padding=1, output_padding=1),
                       nn.InstanceNorm2d(fan_out), nn.ReLU()]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(width, out_channels, 7)]
        self.net = nn.Sequential(*layers)
        dcgan_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        if height % self.multiple or width % self.multiple:
            raise ValueError(f"images of {height}x{width} do not halve {self.multiple.bit_length() - 1} times; "
                             f"use model.downsamplings such that 2**downsamplings divides both sides")
        return self.net(x)
