"""Fixed permutations of features (vectors) or channels (images) between couplings.

A coupling leaves half the features unchanged; permuting between couplings lets every feature be
transformed and lets information mix across the two halves. A permutation's |det| is 1, so its
log-det is 0, and its inverse is the inverse permutation. The order is a buffer saved with the
model, so a seeded random order reloads exactly.
"""

from __future__ import annotations

import torch

from genzoo_explicit_likelihood.flows.layer import FlowLayer


class Permutation(FlowLayer):
    """z[:, i] = x[:, order[i]] along dim 1 (features of (n, D), channels of (n, C, H, W))."""

    def __init__(self, order: torch.Tensor):
        super().__init__()
        order = torch.as_tensor(order, dtype=torch.long)
        if not torch.equal(order.sort().values, torch.arange(len(order))):
            raise ValueError("order must be a permutation of 0..n-1")
        self.register_buffer("order", order)
        self.register_buffer("inverse_order", torch.argsort(order))

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        return x[:, self.order], x.new_zeros(len(x))

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return z[:, self.inverse_order]


class ReversePermutation(Permutation):
    """Reverses the order of `features` features or channels (RealNVP's and Glow's simplest mixing)."""

    def __init__(self, features: int):
        super().__init__(torch.arange(features - 1, -1, -1))


class RandomPermutation(Permutation):
    """A random order of `features` features or channels, drawn once from `seed`."""

    def __init__(self, features: int, seed: int = 0):
        super().__init__(torch.randperm(features, generator=torch.Generator().manual_seed(seed)))
