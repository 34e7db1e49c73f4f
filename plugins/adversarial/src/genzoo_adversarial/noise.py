"""Random draws from a caller's generator, wherever the model lives.

torch refuses a CPU generator for a CUDA tensor, so the numbers are drawn on the generator's own
device and then moved: a seeded CPU generator gives the same latents on a CPU and on a GPU. None
means torch's default generator on `device` (what training uses, so resume restores it).
"""

from __future__ import annotations

import torch


def _source(generator: torch.Generator | None, device: torch.device | str | None) -> torch.device | str | None:
    return generator.device if generator is not None else device


def normal(shape: tuple[int, ...], generator: torch.Generator | None, device: torch.device | str | None,
           dtype: torch.dtype | None = None) -> torch.Tensor:
    """N(0, 1) draws of `shape` on `device`."""
    return torch.randn(shape, generator=generator, device=_source(generator, device), dtype=dtype).to(device)


def uniform(shape: tuple[int, ...], generator: torch.Generator | None, device: torch.device | str | None,
            dtype: torch.dtype | None = None) -> torch.Tensor:
    """U[0, 1) draws of `shape` on `device`."""
    return torch.rand(shape, generator=generator, device=_source(generator, device), dtype=dtype).to(device)
