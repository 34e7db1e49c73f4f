"""Activation normalisation (Glow): a per-channel affine map whose first batch sets it.

Batch norm makes a flow's density depend on the batch; Glow replaces it with y = (x + bias) *
exp(log_scale) per channel, initialised from the first training batch so that every channel of
the output has zero mean and unit variance, then trained as ordinary parameters. The `initialized`
buffer is saved with the weights, so a loaded model never re-initialises.
"""

from __future__ import annotations

import math

import torch
from genzoo.plugin import GenzooError
from torch import nn

from genzoo_explicit_likelihood.flows.layer import FlowLayer


def _per_channel(param: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Shape a (C,) parameter to broadcast over (n, C) or (n, C, H, W)."""
    return param.view(1, -1, *([1] * (x.dim() - 2)))


class ActNorm(FlowLayer):
    """y = (x + bias) * exp(log_scale), per channel (dim 1); log_det = (H*W) * sum(log_scale).

    Initialised on the first forward pass in training mode (eval-mode calls never change it), so
    scoring a fresh model does not silently fit it to the scored data.
    """

    def __init__(self, channels: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.bias = nn.Parameter(torch.zeros(channels))
        self.log_scale = nn.Parameter(torch.zeros(channels))
        self.register_buffer("initialized", torch.tensor(False))

    @torch.no_grad()
    def _initialize(self, x: torch.Tensor) -> None:
        if len(x) < 2:  # one example (of vectors) has std 0: log_scale would be -log(eps), about +13.8
            raise GenzooError(f"ActNorm initialises on its first training batch and needs at least 2 examples, "
                              f"got {len(x)}")
        per_channel = x.transpose(0, 1).reshape(x.shape[1], -1)
        self.bias.copy_(-per_channel.mean(dim=1))
        self.log_scale.copy_(-torch.log(per_channel.std(dim=1, unbiased=False) + self.eps))
        self.initialized.fill_(True)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        if self.training and not self.initialized:
            self._initialize(x)
        z = (x + _per_channel(self.bias, x)) * torch.exp(_per_channel(self.log_scale, x))
        pixels = math.prod(x.shape[2:])  # 1 for vectors; works on an empty batch
        return z, (pixels * self.log_scale.sum()).expand(len(x))

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return z * torch.exp(-_per_channel(self.log_scale, z)) - _per_channel(self.bias, z)
