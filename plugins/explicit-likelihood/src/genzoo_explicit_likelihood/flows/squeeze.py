"""Space-to-depth: trade spatial resolution for channels so couplings can mix neighbouring pixels.

RealNVP and Glow squeeze every 2x2 spatial block into channels before each level, (C, H, W) ->
(4C, H/2, W/2). A pure permutation of the entries, so the log-determinant is exactly 0.
"""

from __future__ import annotations

import torch
from genzoo.plugin import ConfigError

from genzoo_explicit_likelihood.flows.layer import FlowLayer


class Squeeze(FlowLayer):
    """(n, C, H, W) -> (n, 4C, H/2, W/2); channel c*4 + 2*i + j holds pixel (2h+i, 2w+j) of channel c."""

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        n, c, h, w = x.shape
        if h % 2 or w % 2:
            raise ConfigError(f"Squeeze needs even height and width, got {h}x{w}")
        z = x.reshape(n, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
        return z.reshape(n, 4 * c, h // 2, w // 2), x.new_zeros(n)

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        n, c4, h, w = z.shape
        if c4 % 4:
            raise ConfigError(f"Squeeze.inverse needs a multiple of 4 channels, got {c4}")
        x = z.reshape(n, c4 // 4, 2, 2, h, w).permute(0, 1, 4, 2, 5, 3)
        return x.reshape(n, c4 // 4, 2 * h, 2 * w)


class Unsqueeze(FlowLayer):
    """The inverse of `Squeeze` as a layer: ends a multi-scale level so the level keeps its shape."""

    def __init__(self):
        super().__init__()
        self.squeeze = Squeeze()

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        return self.squeeze.inverse(x), x.new_zeros(len(x))

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.squeeze(z)[0]
