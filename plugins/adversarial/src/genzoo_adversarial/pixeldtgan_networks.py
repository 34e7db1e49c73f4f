"""PixelDTGAN's three networks, built from the family's DCGAN convnets (networks.py).

- `Converter`: an encoder (a DCGAN discriminator body with batch norm after every stage but the
  first, ending in one convolution over the whole map to a `code_dim` vector, the paper's 64-d
  bottleneck) and a decoder (a DCGAN generator from that code). The paper's converter is the same
  encoder-decoder at 64x64; source and target may differ in size here (a 40x40 scene -> a 28x28
  digit), since nothing but the code crosses from one to the other.
- The real/fake discriminator D_R is `networks.ConvDiscriminator` on target images (one logit).
- `DomainDiscriminator` D_A judges a (source, target) pair. The paper stacks the two 64x64 images
  as the channels of one DCGAN discriminator; our source and target differ in size, so each goes
  through its own DCGAN discriminator body to a `hidden`-d vector, and an MLP on [f(s), g(y),
  f(s) * g(y)] gives the logit. The elementwise product is what lets it compare the two quickly: with
  [f(s), g(y)] alone (an MLP must then learn the interaction) D_A told associated from unassociated
  pairs no better than chance after 400 updates on mnist-scenes, with the product it had started to
  (loss 1.216 against 2 ln 2 = 1.386), and the converter gets no content signal until D_A does.
"""

from __future__ import annotations

import torch
from torch import nn

from genzoo.plugin import DataSpec

from genzoo_adversarial.networks import LEAKY_SLOPE, ConvDiscriminator, ConvGenerator, NetworkConfig


def conv_reader(spec: DataSpec, channels: tuple[int, ...], out_features: int, batch_norm: bool = False) -> nn.Module:
    """A DCGAN discriminator body on images of `spec`: (n, *spec.shape) -> (n, out_features)."""
    config = NetworkConfig(data=spec, network="conv", channels=channels, discriminator_batch_norm=batch_norm)
    return ConvDiscriminator(config, out_features, 0)


class Converter(nn.Module):
    """Source images -> an encoder's code -> unsquashed target images (the model maps them into the data range)."""

    def __init__(self, source: DataSpec, target: DataSpec, source_channels: tuple[int, ...],
                 target_channels: tuple[int, ...], code_dim: int):
        super().__init__()
        self.encoder = conv_reader(source, source_channels, code_dim, batch_norm=True)
        self.decoder = ConvGenerator(NetworkConfig(data=target, network="conv", latent_dim=code_dim,
                                                   channels=target_channels), 0)

    def forward(self, source: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(source))


class DomainDiscriminator(nn.Module):
    """(source, target) -> one association logit per pair (see the module docstring)."""

    def __init__(self, source: DataSpec, target: DataSpec, source_channels: tuple[int, ...],
                 target_channels: tuple[int, ...], hidden: int):
        super().__init__()
        self.source_features = conv_reader(source, source_channels, hidden)
        self.target_features = conv_reader(target, target_channels, hidden)
        self.joint = nn.Sequential(nn.LeakyReLU(LEAKY_SLOPE), nn.Linear(3 * hidden, hidden), nn.LeakyReLU(LEAKY_SLOPE),
                                   nn.Linear(hidden, 1))

    def forward(self, source: torch.Tensor, *targets: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """The logits (n,) of `source` paired with each of `targets`: the sources are read once and the targets in
        one batch (the network has no batch statistics, so this is the same as judging each pair alone)."""
        read = self.source_features(source).repeat(len(targets), 1)
        drawn = self.target_features(torch.cat(targets))
        return self.joint(torch.cat([read, drawn, read * drawn], dim=1))[:, 0].chunk(len(targets))
