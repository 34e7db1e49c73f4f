"""Random draws from a caller's generator, wherever the tensors live.

Every random function in `genzoo.distributions` takes `generator=` and draws through here. The
numbers come from the generator's own device and are then moved, so a seeded CPU generator gives
the same draws whether the model runs on a CPU or a GPU (torch would refuse a CPU generator for a
CUDA tensor). `generator=None` means torch's default generator, as everywhere in torch: callers that
want reproducible numbers pass a seeded one.
"""

from __future__ import annotations

import torch


def uniform(shape: tuple[int, ...] | torch.Size, generator: torch.Generator | None, *,
            device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> torch.Tensor:
    """U[0, 1) draws of `shape` made on the generator's device and returned on `device`."""
    source = generator.device if generator is not None else device
    return torch.rand(shape, generator=generator, device=source, dtype=dtype).to(device)


def standard_normal(shape: tuple[int, ...] | torch.Size, generator: torch.Generator | None, *,
                    device: torch.device | str | None = None, dtype: torch.dtype | None = None) -> torch.Tensor:
    """N(0, 1) draws of `shape` made on the generator's device and returned on `device`."""
    source = generator.device if generator is not None else device
    return torch.randn(shape, generator=generator, device=source, dtype=dtype).to(device)
