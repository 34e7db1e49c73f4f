"""Conditioner networks for couplings: a coupling's net maps the kept features to (shift, raw scale).

Their last layer starts at zero, so every coupling starts as the identity (tanh scales) and a deep
flow starts as a well-conditioned map instead of a random one (Dinh et al. 2017; Kingma & Dhariwal
2018 do the same). Dropout inside the nets regularises flows trained on small data sets.
"""

from __future__ import annotations

from typing import Literal

from torch import nn

Activation = Literal["relu", "silu", "tanh"]
ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": nn.ReLU, "silu": nn.SiLU, "tanh": nn.Tanh}


def zero_init(layer: nn.Module) -> nn.Module:
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def _body(widths: list[tuple[int, int]], make, activation: Activation, dropout: float) -> list[nn.Module]:
    """make(in, out) layers, each followed by the activation and (when dropout > 0) dropout."""
    layers: list[nn.Module] = []
    for width_in, width_out in widths:
        layers += [make(width_in, width_out), ACTIVATIONS[activation]()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    return layers


class MLP(nn.Sequential):
    """in_features -> `layers` hidden layers of `hidden` units -> out_features (zero-initialised)."""

    def __init__(self, in_features: int, out_features: int, hidden: int = 64, layers: int = 2, *,
                 activation: Activation = "relu", dropout: float = 0.0):
        widths = [(in_features if i == 0 else hidden, hidden) for i in range(layers)]
        super().__init__(*_body(widths, nn.Linear, activation, dropout), zero_init(nn.Linear(hidden, out_features)))


class ConvNet(nn.Sequential):
    """3x3 convolutions, in_channels -> `layers` of `hidden` channels -> out_channels (zero-initialised);
    the spatial size is kept (padding 1), as a coupling on images needs."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, layers: int = 2, *,
                 activation: Activation = "relu", dropout: float = 0.0):
        widths = [(in_channels if i == 0 else hidden, hidden) for i in range(layers)]

        def conv(width_in: int, width_out: int) -> nn.Conv2d:
            return nn.Conv2d(width_in, width_out, 3, padding=1)

        super().__init__(*_body(widths, conv, activation, dropout), zero_init(conv(hidden, out_channels)))
