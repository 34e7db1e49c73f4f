"""MidiNet's three networks (Yang et al. 2017, model 3 of the paper, after the authors' code), at our bar size.

Bars are (n, 1, pitches, steps); every convolution runs over time only, except the ones that span all
pitches at once (the first of the conditioner and of the discriminator, the last of the generator).

- Conditioner CNN: the previous bar -> feature maps of widths steps, steps/2, steps/4, steps/8 (a
  full-pitch convolution, then stride-2 convolutions over time), each injected into the generator layer
  of the same width ("2-D condition").
- Generator: [z, chord] -> dense -> [., chord] -> dense -> (channels, 1, steps/8), then three transposed
  convolutions (1 x 2, stride 2) over time and a last one spanning the pitches; before each of these the
  13-d chord vector (tiled over the map) and the conditioner's features are concatenated ("1-D condition
  at every layer"). Returns logits; the model's sigmoid gives each pitch's probability at each step.
- Discriminator: [bar, tiled chord] -> a convolution over all pitches x 2 steps (its output is `features`,
  what the generator's feature-matching term compares) -> [., chord] -> a 1 x 4 convolution -> dense ->
  [., chord] -> one realness logit.
"""

from __future__ import annotations

import torch
from torch import nn

from genzoo_adversarial.networks import LEAKY_SLOPE, dcgan_init_

UPSAMPLINGS = 3  # the generator doubles its time axis three times before the pitch layer


def with_condition(maps: torch.Tensor, chord: torch.Tensor, *extra: torch.Tensor) -> torch.Tensor:
    """Feature maps (n, c, h, w) with the chord vectors (n, k) tiled over h x w as k more channels, and `extra`
    maps of the same h x w after them."""
    tiled = chord[:, :, None, None].expand(-1, -1, maps.shape[2], maps.shape[3])
    return torch.cat([maps, tiled, *extra], dim=1)


def _leaky(channels: int, module: nn.Module) -> nn.Sequential:
    return nn.Sequential(module, nn.BatchNorm2d(channels), nn.LeakyReLU(LEAKY_SLOPE))


class Conditioner(nn.Module):
    """The previous bar -> its feature maps, coarsest (steps/8 wide) first."""

    def __init__(self, pitches: int, channels: int):
        super().__init__()
        self.pitch_layer = _leaky(channels, nn.Conv2d(1, channels, (pitches, 1)))
        self.downsamplings = nn.ModuleList(
            _leaky(channels, nn.Conv2d(channels, channels, (1, 2), stride=(1, 2))) for _ in range(UPSAMPLINGS))
        dcgan_init_(self)

    def forward(self, previous: torch.Tensor) -> list[torch.Tensor]:
        maps = [self.pitch_layer(previous)]
        for layer in self.downsamplings:
            maps.append(layer(maps[-1]))
        return maps[::-1]


class Generator(nn.Module):
    """(z, chord vectors, conditioner maps) -> bar logits (n, 1, pitches, steps)."""

    def __init__(self, latent_dim: int, chord_size: int, hidden: int, channels: int, conditioner_channels: int,
                 pitches: int, steps: int):
        super().__init__()
        self.channels, self.start = channels, steps // 2 ** UPSAMPLINGS
        self.project = nn.Sequential(nn.Linear(latent_dim + chord_size, hidden), nn.BatchNorm1d(hidden), nn.ReLU())
        self.expand = nn.Sequential(nn.Linear(hidden + chord_size, channels * self.start),
                                    nn.BatchNorm1d(channels * self.start), nn.ReLU())
        inputs = channels + chord_size + conditioner_channels
        self.upsamplings = nn.ModuleList(
            nn.Sequential(nn.ConvTranspose2d(inputs, channels, (1, 2), stride=(1, 2)), nn.BatchNorm2d(channels),
                          nn.ReLU()) for _ in range(UPSAMPLINGS))
        self.pitch_layer = nn.ConvTranspose2d(inputs, 1, (pitches, 1))
        dcgan_init_(self)

    def forward(self, z: torch.Tensor, chord: torch.Tensor, conditions: list[torch.Tensor]) -> torch.Tensor:
        h = self.project(torch.cat([z, chord], dim=1))
        h = self.expand(torch.cat([h, chord], dim=1)).view(len(z), self.channels, 1, self.start)
        for layer, previous in zip(self.upsamplings, conditions[:-1], strict=True):
            h = layer(with_condition(h, chord, previous))
        return self.pitch_layer(with_condition(h, chord, conditions[-1]))


class Discriminator(nn.Module):
    """(bar, chord vectors) -> (realness logit (n,), first-layer features (n, c, 1, steps/2))."""

    def __init__(self, chord_size: int, channels: tuple[int, int], hidden: int, pitches: int, steps: int):
        super().__init__()
        first, second = channels
        self.pitch_layer = nn.Sequential(nn.Conv2d(1 + chord_size, first, (pitches, 2), stride=(1, 2)),
                                         nn.LeakyReLU(LEAKY_SLOPE))
        self.time_layer = _leaky(second, nn.Conv2d(first + chord_size, second, (1, 4), stride=(1, 2)))
        width = (steps // 2 - 4) // 2 + 1
        self.hidden = nn.Sequential(nn.Linear(second * width + chord_size, hidden), nn.BatchNorm1d(hidden),
                                    nn.LeakyReLU(LEAKY_SLOPE))
        self.out = nn.Linear(hidden + chord_size, 1)
        dcgan_init_(self)

    def forward(self, x: torch.Tensor, chord: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.pitch_layer(with_condition(x, chord))
        h = self.time_layer(with_condition(features, chord)).flatten(1)
        h = self.hidden(torch.cat([h, chord], dim=1))
        return self.out(torch.cat([h, chord], dim=1))[:, 0], features
