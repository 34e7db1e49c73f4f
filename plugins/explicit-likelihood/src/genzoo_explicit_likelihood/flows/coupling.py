"""Affine coupling (Dinh et al. 2017, RealNVP; Kingma & Dhariwal 2018, Glow) and its masks.

A binary mask splits each example into a part that passes unchanged (mask 1) and a part that is
scaled and shifted (mask 0) by amounts a network computes from the unchanged part only. The Jacobian
is then triangular, so its log-determinant is the sum of the log-scales, and the inverse needs the
network once more, on the same (unchanged) input. The mask multiplies rather than indexes, so the
same layer serves vectors (features) and images (checkerboard or channel masks).

The raw scale is bounded because an unbounded exp(scale) is the usual way a flow blows up (NaN or
inf log-densities on held-out data): "tanh" keeps log-scale in (-bound, bound) (RealNVP's soft
clamp), "sigmoid" uses log sigmoid(raw + 2) (Glow: scales in (0, 1), near 0.88 at init, so a
coupling can only contract and the forward pass, hence training, stays stable). Only "tanh" bounds
the inverse too (by exp(bound) per layer): a sigmoid coupling's inverse divides by a scale that can
approach 0, so inverting noise far in the tail can overflow (FlowModel.generate_tempered refuses it).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

from genzoo_explicit_likelihood.flows.layer import FlowLayer

ScaleKind = Literal["tanh", "sigmoid"]


class AffineCoupling(FlowLayer):
    """z = m*x + (1-m)*(x*exp(s) + t), where (t, raw) = net(m*x [, context]) split on dim 1.

    `mask` is shaped like one example ((D,) or (C, H, W)); 1 (True) marks the features that pass
    unchanged and condition the net. `net` is called as `net(x * mask)` when context is None and as
    `net(x * mask, context)` otherwise, and returns twice the features (or channels) of x: the first
    half is the shift t, the second the raw log-scale. Initialise the net's last layer to zero to
    start at the identity (tanh) or at a uniform contraction (sigmoid).
    """

    def __init__(self, mask: torch.Tensor, net: nn.Module, *, scale: ScaleKind = "tanh", scale_bound: float = 2.0):
        super().__init__()
        _check_scale(scale, scale_bound)
        self.register_buffer("mask", torch.as_tensor(mask, dtype=torch.get_default_dtype()), persistent=False)
        self.net, self.scale, self.scale_bound = net, scale, float(scale_bound)

    def _shift_and_log_scale(self, kept: torch.Tensor, context: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        shift, log_scale = _shift_and_bounded_log_scale(self.net, kept, context, self.scale, self.scale_bound)
        free = 1.0 - self.mask
        return shift * free, log_scale * free

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        shift, log_scale = self._shift_and_log_scale(x * self.mask, context)
        z = x * torch.exp(log_scale) + shift  # masked entries: log_scale = shift = 0, so z = x there
        return z, log_scale.flatten(1).sum(1)

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        shift, log_scale = self._shift_and_log_scale(z * self.mask, context)
        return (z - shift) * torch.exp(-log_scale)


class SplitAffineCoupling(FlowLayer):
    """The affine coupling of vectors (n, D) split in two contiguous parts, one of which conditions the other.

    x[:, :split] and x[:, split:] are the two parts; `keep` says which passes unchanged and feeds
    `net(kept [, context])`, which returns 2 * (size of the other part) values: (shift, raw log-scale).
    The same map as `AffineCoupling` with a mask of ones on the kept part, but the net sees no
    masked-out zeros (about half the cost of its first and last layers) and the halves are views, not
    copies; alternate `keep` between layers so every feature is transformed (RealNVP's alternating masks
    up to the order of the features). For images use `AffineCoupling`, whose conv nets need the full grid.
    """

    def __init__(self, split: int, net: nn.Module, *, keep: Literal["first", "last"] = "first",
                 scale: ScaleKind = "tanh", scale_bound: float = 2.0):
        super().__init__()
        _check_scale(scale, scale_bound)
        if split < 1 or keep not in ("first", "last"):
            raise ValueError(f"SplitAffineCoupling needs split >= 1 and keep 'first' or 'last', got {split}, {keep!r}")
        self.split, self.keep_first = split, keep == "first"
        self.net, self.scale, self.scale_bound = net, scale, float(scale_bound)

    def _parts(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        first, last = x[:, :self.split], x[:, self.split:]
        if last.shape[1] == 0:
            raise ValueError(f"SplitAffineCoupling splits at {self.split} but the input has {x.shape[1]} features")
        return (first, last) if self.keep_first else (last, first)

    def _join(self, kept: torch.Tensor, changed: torch.Tensor) -> torch.Tensor:
        return torch.cat([kept, changed] if self.keep_first else [changed, kept], dim=1)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        kept, free = self._parts(x)
        shift, log_scale = _shift_and_bounded_log_scale(self.net, kept, context, self.scale, self.scale_bound)
        return self._join(kept, free * torch.exp(log_scale) + shift), log_scale.sum(1)

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        kept, changed = self._parts(z)
        shift, log_scale = _shift_and_bounded_log_scale(self.net, kept, context, self.scale, self.scale_bound)
        return self._join(kept, (changed - shift) * torch.exp(-log_scale))


def _check_scale(scale: str, bound: float) -> None:
    if scale not in ("tanh", "sigmoid"):
        raise ValueError(f"scale must be 'tanh' or 'sigmoid', not {scale!r}")
    if bound <= 0:
        raise ValueError(f"scale_bound must be positive, not {bound}")


def _shift_and_bounded_log_scale(net: nn.Module, kept: torch.Tensor, context: torch.Tensor | None, scale: ScaleKind,
                                 bound: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the coupling net and bound its raw log-scale (see the module docstring)."""
    out = net(kept) if context is None else net(kept, context)
    shift, raw = out.chunk(2, dim=1)
    if scale == "tanh":
        return shift, bound * torch.tanh(raw / bound)
    return shift, F.logsigmoid(raw + 2.0)


def alternating_mask(dim: int, parity: int = 0) -> torch.Tensor:
    """(dim,) mask with 1 on the features whose index has the given parity (0: even, 1: odd)."""
    return (torch.arange(dim) % 2 == parity % 2).float()


def checkerboard_mask(shape: tuple[int, int, int], parity: int = 0) -> torch.Tensor:
    """(C, H, W) mask with 1 where (row + column) has the given parity, the same on every channel."""
    channels, height, width = shape
    rows, columns = torch.arange(height)[:, None], torch.arange(width)[None, :]
    board = ((rows + columns) % 2 == parity % 2).float()
    return board.expand(channels, height, width).clone()


def channel_mask(shape: tuple[int, int, int], parity: int = 0) -> torch.Tensor:
    """(C, H, W) mask with 1 on the first C//2 channels (parity 0) or on the others (parity 1)."""
    channels, height, width = shape
    first_half = torch.arange(channels) < channels // 2
    kept = first_half if parity % 2 == 0 else ~first_half
    return kept.float()[:, None, None].expand(channels, height, width).clone()
