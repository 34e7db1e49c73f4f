"""Image-to-image networks: the U-Net generator and the PatchGAN discriminator of pix2pix (Isola et al. 2017).

Both follow the reference implementation (junyanz/pytorch-CycleGAN-and-pix2pix, `networks.py`),
sized by width tuples so that the same code builds the paper's 256x256 networks and the small
ones that train on 28x28 MNIST here:

- `UNet(in_channels, out_channels, channels)`: one 4x4 stride-2 convolution per entry of
  `channels` on the way down (LeakyReLU(0.2) before each but the first, norm after each but the
  first and the innermost), transposed convolutions on the way up (ReLU before, norm after), and
  each decoder stage's output concatenated with the encoder features of the same size, so fine
  detail (where the edges are) need not squeeze through the bottleneck: the skip connections are
  the paper's answer to "the input and output share their structure". Dropout on the decoder
  stages nearest the bottleneck (the paper's only noise). Images whose sides do not divide by
  2 ** len(channels) (28 = 4 * 7) are zero-padded to the next multiple and the output cropped back,
  so MNIST gets a 3- or 4-level U-Net instead of a 2-level one. The output is unsquashed: the model
  maps it into its DataSpec's range.
- `PatchGAN(in_channels, channels)`: 4x4 convolutions, stride 2 for all widths but the last, which
  has stride 1, then a 4x4 stride-1 convolution to one logit per patch. The logits form a map: each
  judges one receptive field (`patch_receptive_field`: 70x70 for the paper's (64, 128, 256, 512),
  16x16 for (64, 128)), so the discriminator models high-frequency structure only and leaves
  low-frequency correctness to the L1 term. pix2pix feeds it the source and the image stacked as
  channels (a conditional discriminator); CycleGAN feeds it one domain's images.

`norm` picks batch norm (pix2pix) or instance norm (CycleGAN); weights start N(0, 0.02) as in both papers.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

from genzoo_adversarial.networks import LEAKY_SLOPE, dcgan_init_

Norm = Literal["batch", "instance", "none"]
KERNEL = 4  # every convolution of both networks is 4x4 (stride 2, padding 1 halves a side)


def norm_layer(norm: Norm, channels: int) -> nn.Module:
    """Batch norm, instance norm without affine parameters (the reference's CycleGAN default), or nothing."""
    if norm == "batch":
        return nn.BatchNorm2d(channels)
    if norm == "instance":
        return nn.InstanceNorm2d(channels)
    return nn.Identity()


def patch_receptive_field(channels: tuple[int, ...]) -> int:
    """The side of the input square one PatchGAN logit sees: 70 for (64, 128, 256, 512).

    Walking back from the output: the final 4x4 stride-1 convolution sees 4 pixels, the last width's
    stride-1 convolution 4 + 3 = 7, and each stride-2 stage r -> 2 (r - 1) + 4.
    """
    field = KERNEL + (KERNEL - 1)
    for _ in channels[:-1]:
        field = 2 * (field - 1) + KERNEL
    return field


class UNet(nn.Module):
    """pix2pix's U-Net generator (see the module docstring): (n, in, h, w) -> unsquashed (n, out, h, w)."""

    def __init__(self, in_channels: int, out_channels: int, channels: tuple[int, ...] = (64, 128, 256),
                 norm: Norm = "batch", dropout: float = 0.5, dropout_stages: int = 3):
        super().__init__()
        if not channels or min(channels) < 1:
            raise ValueError(f"a U-Net needs one or more positive widths, got {channels}")
        depth = len(channels)
        self.multiple = 2**depth
        self.down = nn.ModuleList()
        previous = in_channels
        for index, width in enumerate(channels):
            layers: list[nn.Module] = [] if index == 0 else [nn.LeakyReLU(LEAKY_SLOPE)]
            layers.append(nn.Conv2d(previous, width, KERNEL, stride=2, padding=1))
            if 0 < index < depth - 1:
                layers.append(norm_layer(norm, width))
            self.down.append(nn.Sequential(*layers))
            previous = width
        # Decoder stage i maps the features at level i+1 (concatenated with their skip, except at the bottleneck)
        # up to the width of level i; stage 0 produces the image.
        self.up = nn.ModuleList()
        for index in reversed(range(depth)):
            fan_in = channels[index] * (1 if index == depth - 1 else 2)
            fan_out = out_channels if index == 0 else channels[index - 1]
            layers = [nn.ReLU(), nn.ConvTranspose2d(fan_in, fan_out, KERNEL, stride=2, padding=1)]
            if index > 0:
                layers.append(norm_layer(norm, fan_out))
                if depth - 1 - index < dropout_stages and dropout > 0:
                    layers.append(nn.Dropout(dropout))
            self.up.append(nn.Sequential(*layers))
        dcgan_init_(self)

    def padding(self, height: int, width: int) -> tuple[int, int, int, int]:
        """(left, right, top, bottom) zeros that make both sides multiples of 2 ** depth (F.pad's order)."""
        extra_h, extra_w = -height % self.multiple, -width % self.multiple
        return extra_w // 2, extra_w - extra_w // 2, extra_h // 2, extra_h - extra_h // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        left, right, top, bottom = self.padding(height, width)
        h = F.pad(x, (left, right, top, bottom))
        skips = []
        for stage in self.down:
            h = stage(h)
            skips.append(h)
        h = skips.pop()
        for stage in self.up:
            h = stage(h)
            if skips:
                h = torch.cat([skips.pop(), h], dim=1)
        return h[..., top : top + height, left : left + width]


class PatchGAN(nn.Module):
    """pix2pix's PatchGAN discriminator (see the module docstring): (n, in, h, w) -> logits (n, 1, h', w')."""

    def __init__(self, in_channels: int, channels: tuple[int, ...] = (64, 128, 256, 512), norm: Norm = "batch"):
        super().__init__()
        if not channels or min(channels) < 1:
            raise ValueError(f"a PatchGAN needs one or more positive widths, got {channels}")
        layers: list[nn.Module] = []
        previous = in_channels
        for index, width in enumerate(channels):
            stride = 1 if index == len(channels) - 1 else 2
            layers.append(nn.Conv2d(previous, width, KERNEL, stride=stride, padding=1))
            if index > 0:
                layers.append(norm_layer(norm, width))
            layers.append(nn.LeakyReLU(LEAKY_SLOPE))
            previous = width
        layers.append(nn.Conv2d(previous, 1, KERNEL, stride=1, padding=1))
        self.net = nn.Sequential(*layers)
        dcgan_init_(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
