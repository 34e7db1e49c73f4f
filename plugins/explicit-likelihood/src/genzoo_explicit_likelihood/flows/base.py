"""Base distributions of a flow: where z lives once every layer has been applied."""

from __future__ import annotations

import torch
from genzoo.plugin import LOG_2PI
from torch import nn


class StandardNormal(nn.Module):
    """N(0, I) over every non-batch dimension; no parameters, so one instance serves any shape."""

    def log_prob(self, z: torch.Tensor) -> torch.Tensor:
        """log N(z | 0, I) per example: summed over all dimensions but the first, in nats."""
        return -0.5 * (z.flatten(1) ** 2 + LOG_2PI).sum(1)

    def sample(self, n: int, shape: tuple[int, ...], generator: torch.Generator | None = None,
               device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> torch.Tensor:
        """n draws of `shape` on `device`. They are drawn on the generator's own device and then moved,
        so a seeded CPU generator gives the same draws for a model on a GPU."""
        source = generator.device if generator is not None else device
        return torch.randn((n, *shape), generator=generator, device=source, dtype=dtype).to(device)
