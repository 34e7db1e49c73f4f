"""Multi-scale structure: factor half the variables out early so deeper levels work on fewer.

In RealNVP and Glow, after each level some channels are sent straight to the base distribution
(they are "factored out") and only the rest continue through further layers. As one FlowLayer
that means: channels [:keep] pass through unchanged, `inner` transforms channels [keep:], and the
output is the concatenation. Every layer stays shape-preserving, so the whole flow maps x to a z
shaped like x and the base distribution scores all of z at once; a level that squeezes ends with
an `Unsqueeze` (`multi_scale` builds that nesting).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from genzoo.plugin import ConfigError

from genzoo_explicit_likelihood.flows.layer import FlowLayer, FlowSequence
from genzoo_explicit_likelihood.flows.squeeze import Squeeze, Unsqueeze


class FactorOut(FlowLayer):
    """Channels (dim 1) [:keep] are final latents; `inner` maps channels [keep:]; log_det is inner's.

    `inner` must return its input's shape (wrap a squeezing inner as Squeeze ... Unsqueeze).
    """

    def __init__(self, inner: FlowLayer, keep: int):
        super().__init__()
        if keep < 1:
            raise ConfigError(f"FactorOut keep must be >= 1, got {keep}")
        self.inner = inner
        self.keep = keep

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        if x.shape[1] <= self.keep:
            raise ConfigError(f"FactorOut keeps {self.keep} channels but the input has only {x.shape[1]}")
        kept, rest = x[:, : self.keep], x[:, self.keep :]
        transformed, log_det = self.inner(rest, context)
        if transformed.shape != rest.shape:
            raise ConfigError(f"FactorOut's inner flow changed shape {tuple(rest.shape)} -> {tuple(transformed.shape)}")
        return torch.cat([kept, transformed], dim=1), log_det

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        kept, rest = z[:, : self.keep], z[:, self.keep :]
        return torch.cat([kept, self.inner.inverse(rest, context)], dim=1)


def multi_scale(channels: int, levels: int, make_steps: Callable[[int, int], list[FlowLayer]]) -> FlowSequence:
    """Glow's multi-scale flow on (channels, H, W) images, shape-preserving end to end.

    Level l (0-based) squeezes, applies `make_steps(l, squeezed_channels)`, and, unless it is the
    last level, factors out half of its channels and hands the other half to level l + 1; it then
    unsqueezes. H and W must be divisible by 2**levels.
    """
    if levels < 1:
        raise ConfigError(f"multi_scale needs at least one level, got {levels}")

    def level(index: int, level_channels: int) -> FlowSequence:
        squeezed = 4 * level_channels
        layers = [Squeeze(), *make_steps(index, squeezed)]
        if index < levels - 1:
            layers.append(FactorOut(level(index + 1, squeezed // 2), keep=squeezed // 2))
        return FlowSequence([*layers, Unsqueeze()])

    return level(0, channels)
