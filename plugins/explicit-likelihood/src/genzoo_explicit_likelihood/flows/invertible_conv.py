"""Glow's invertible 1x1 convolution: a learned channel mixing that generalises fixed permutations.

Every pixel's channel vector is multiplied by the same C x C matrix W, so log|det| = H*W*log|det W|.
With `lu=True` (the paper's LU parametrisation) W = P L (U + diag(sign * exp(log_s))) with P a
fixed permutation, L unit lower triangular and U strictly upper triangular: the log-determinant is
just H*W*sum(log_s), O(C) instead of O(C^3), and W can never become singular. W starts as a random
rotation (drawn from torch's global generator, like every other initial weight).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from genzoo_explicit_likelihood.flows.layer import FlowLayer


def _mix_channels(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Apply `weight` (C_out, C_in) to dim 1 of (n, C) or (n, C, H, W)."""
    return torch.einsum("oc,nc...->no...", weight, x)


class InvertibleConv1x1(FlowLayer):
    """z[:, :, h, w] = W @ x[:, :, h, w]; works on (n, C) and (n, C, H, W)."""

    def __init__(self, channels: int, lu: bool = True):
        super().__init__()
        self.lu = lu
        rotation = torch.linalg.qr(torch.randn(channels, channels))[0]
        if not lu:
            self.weight = nn.Parameter(rotation)
            return
        permutation, lower, upper = torch.linalg.lu(rotation)
        diagonal = torch.diagonal(upper)
        self.register_buffer("permutation", permutation)
        self.register_buffer("sign_s", torch.sign(diagonal))
        self.register_buffer("lower_mask", torch.tril(torch.ones(channels, channels), diagonal=-1))
        self.lower = nn.Parameter(lower)
        self.upper = nn.Parameter(torch.triu(upper, diagonal=1))
        self.log_s = nn.Parameter(torch.log(diagonal.abs()))

    def _weight_and_log_det(self) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.lu:
            return self.weight, torch.linalg.slogdet(self.weight)[1]
        eye = torch.eye(len(self.log_s), device=self.log_s.device, dtype=self.log_s.dtype)
        lower = self.lower * self.lower_mask + eye
        upper = self.upper * self.lower_mask.T + torch.diag(self.sign_s * torch.exp(self.log_s))
        return self.permutation @ lower @ upper, self.log_s.sum()

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        weight, log_det = self._weight_and_log_det()
        pixels = math.prod(x.shape[2:])  # 1 for vectors; works on an empty batch
        return _mix_channels(x, weight), (pixels * log_det).expand(len(x))

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        weight, _ = self._weight_and_log_det()
        # inverted in float32 at least: linalg.inv has no bfloat16/float16 kernels
        inverse = torch.linalg.inv(weight.to(torch.promote_types(weight.dtype, torch.float32)))
        return _mix_channels(z, inverse.to(z.dtype))
