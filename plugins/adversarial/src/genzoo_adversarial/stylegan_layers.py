"""The layers of a StyleGAN2-style generator (Karras et al. 2020): style modulation, noise inputs, the mapping MLP.

A style vector s (one scale per input channel, an affine map of w) modulates a convolution's weight,
w'_oikl = s_i w_oikl, and demodulation rescales each output channel to unit expected norm,
w''_oikl = w'_oikl / sqrt(sum_ikl w'_oikl^2 + eps). Instead of a grouped convolution with one weight per example
(slow on CPUs), the same result is computed as the paper's "non-fused" form: scale the input channels by s,
convolve with the shared weight, scale each output channel by its demodulation factor.
Weights are stored N(0, 1) and scaled by 1/sqrt(fan_in) when used (the equalized learning rate).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

LEAKY_SLOPE = 0.2
DEMODULATION_EPS = 1e-8


def modulated_conv2d(x: torch.Tensor, weight: torch.Tensor, style: torch.Tensor, demodulate: bool = True,
                     padding: int = 0) -> torch.Tensor:
    """x (n, in, h, w) through `weight` (out, in, k, k) modulated per example by `style` (n, in), demodulated when
    asked (see the module docstring)."""
    out = F.conv2d(x * style[:, :, None, None], weight, padding=padding)
    if not demodulate:
        return out
    # sum_ikl (s_i w_oikl)^2 = sum_i s_i^2 (sum_kl w_oikl^2): one (n, in) x (in, out) product.
    squared = style.square() @ weight.square().sum(dim=(2, 3)).t()
    return out * torch.rsqrt(squared + DEMODULATION_EPS)[:, :, None, None]


class EqualLinear(nn.Module):
    """A linear layer with N(0, 1) weights scaled by lr_multiplier / sqrt(fan_in) at use (equalized learning rate)."""

    def __init__(self, fan_in: int, fan_out: int, bias_init: float = 0.0, lr_multiplier: float = 1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(fan_out, fan_in) / lr_multiplier)
        self.bias = nn.Parameter(torch.full((fan_out,), bias_init / lr_multiplier))
        self.weight_gain = lr_multiplier / math.sqrt(fan_in)
        self.lr_multiplier = lr_multiplier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.weight_gain, self.bias * self.lr_multiplier)


class MappingNetwork(nn.Module):
    """z -> w: pixel-normalised z through an MLP with LeakyReLU(0.2) (StyleGAN's f), its layers at `lr_multiplier`
    times the learning rate (the paper's 1/100 by default)."""

    def __init__(self, latent_dim: int, w_dim: int, layers: int, lr_multiplier: float = 0.01):
        super().__init__()
        widths = [latent_dim] + [w_dim] * layers
        self.layers = nn.ModuleList(EqualLinear(a, b, lr_multiplier=lr_multiplier) for a, b in zip(widths, widths[1:]))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = z * torch.rsqrt(z.square().mean(dim=1, keepdim=True) + DEMODULATION_EPS)
        for layer in self.layers:
            x = F.leaky_relu(layer(x), LEAKY_SLOPE) * math.sqrt(2)
        return x


class StyledConv(nn.Module):
    """Optional 2x upsampling, a modulated 3x3 convolution, per-pixel noise with a learned strength, bias, LeakyReLU."""

    def __init__(self, w_dim: int, fan_in: int, fan_out: int, upsample: bool):
        super().__init__()
        self.affine = EqualLinear(w_dim, fan_in, bias_init=1.0)  # styles start at 1: the unmodulated convolution
        self.weight = nn.Parameter(torch.randn(fan_out, fan_in, 3, 3))
        self.bias = nn.Parameter(torch.zeros(fan_out))
        self.noise_strength = nn.Parameter(torch.zeros(()))  # StyleGAN2: one learned scale per layer, from 0
        self.upsample = upsample

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        x = modulated_conv2d(x, self.weight, self.affine(w), padding=1)
        x = x + self.noise_strength * noise + self.bias[:, None, None]
        return F.leaky_relu(x, LEAKY_SLOPE) * math.sqrt(2)


class ToImage(nn.Module):
    """A modulated 1x1 convolution to the image channels, without demodulation (StyleGAN2's tRGB)."""

    def __init__(self, w_dim: int, fan_in: int, channels: int):
        super().__init__()
        self.affine = EqualLinear(w_dim, fan_in, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(channels, fan_in, 1, 1))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.gain = 1 / math.sqrt(fan_in)

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        out = modulated_conv2d(x, self.weight, self.affine(w) * self.gain, demodulate=False)
        return out + self.bias[:, None, None]


class SynthesisNetwork(nn.Module):
    """A learned constant at the smallest resolution, one styled conv there, then two styled convs (the first
    upsampling) per doubling, and a modulated 1x1 to the image: `num_layers` = 2 * len(channels) - 1 styled convs
    plus the output layer, each reading its own w (what style mixing swaps)."""

    def __init__(self, w_dim: int, channels: tuple[int, ...], image_shape: tuple[int, int, int]):
        super().__init__()
        doublings = len(channels) - 1
        start = tuple(side // 2**doublings for side in image_shape[1:])
        self.constant = nn.Parameter(torch.randn(channels[0], *start))
        convs = [StyledConv(w_dim, channels[0], channels[0], upsample=False)]
        for fan_in, fan_out in zip(channels, channels[1:]):
            convs += [StyledConv(w_dim, fan_in, fan_out, upsample=True), StyledConv(w_dim, fan_out, fan_out, False)]
        self.convs = nn.ModuleList(convs)
        self.to_image = ToImage(w_dim, channels[-1], image_shape[0])
        # conv 0 runs at the constant's size, convs 2j + 1 and 2j + 2 at 2^(j + 1) times it
        scales = [1] + [2 ** (1 + i // 2) for i in range(len(convs) - 1)]
        self.noise_shapes = [(1, *(side * scale for side in start)) for scale in scales]

    @property
    def num_layers(self) -> int:
        """How many w vectors one image reads: one per styled conv and one for the output layer."""
        return len(self.convs) + 1

    def forward(self, ws: torch.Tensor, noise: list[torch.Tensor]) -> torch.Tensor:
        """ws (n, num_layers, w_dim) and one noise map (n, 1, h, w) per styled conv -> unsquashed images."""
        x = self.constant.expand(len(ws), *self.constant.shape)
        for index, (conv, layer_noise) in enumerate(zip(self.convs, noise, strict=True)):
            x = conv(x, ws[:, index], layer_noise)
        return self.to_image(x, ws[:, -1])
