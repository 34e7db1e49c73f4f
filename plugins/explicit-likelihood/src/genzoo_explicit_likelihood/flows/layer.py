"""The contract every flow building block keeps, and the chain that composes them.

A `FlowLayer` is an invertible map x -> z. `forward(x, context)` returns z and the log of the
absolute Jacobian determinant |det dz/dx| per example (shape (n,)); `inverse(z, context)` returns
x. Shapes are preserved by every layer except reshaping ones (a squeeze), which say so. `context`
is an optional conditioning tensor (class embedding, image) that a layer may ignore.

Log-densities then chain by the change of variables: log p(x) = log p_base(z) + sum of the layers'
log_dets, so a model is a `FlowSequence` plus a base distribution, and third-party flows reuse any
block by subclassing `FlowLayer`.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn


class FlowLayer(nn.Module):
    """One invertible step; subclasses implement `forward` and `inverse` (see the module docstring)."""

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        raise NotImplementedError


class FlowSequence(FlowLayer):
    """Layers applied in order on `forward` (data -> base), in reverse order on `inverse`."""

    def __init__(self, layers: Iterable[FlowLayer]):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        log_det = x.new_zeros(len(x))
        for layer in self.layers:
            x, layer_log_det = layer(x, context)
            log_det = log_det + layer_log_det
        return x, log_det

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        for layer in reversed(self.layers):
            z = layer.inverse(z, context)
        return z
