"""Paths between two latent codes: straight lines and great circles.

Slerp (Shoemake 1985; White 2016 for generative models) keeps interpolants at the norm typical of
Gaussian codes, where linear midpoints of two high-dimensional N(0, I) codes fall well inside the
shell the decoder was trained on. Models with discrete codes (the VQ-VAE) are walked between the
embeddings of their codes, each point snapped back to the nearest codes.
"""

from __future__ import annotations

from typing import Literal

import torch

Method = Literal["linear", "slerp"]


def linear(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """(1 - t) a + t b for each t: a, b are (d,), t is (m,), the result (m, d)."""
    t = t[:, None]
    return (1 - t) * a + t * b


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation; falls back to linear when a and b are (anti)parallel or zero."""
    cos = torch.dot(a, b) / (a.norm() * b.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    if omega.abs() < 1e-4 or (torch.pi - omega).abs() < 1e-4:
        return linear(a, b, t)
    t = t[:, None]
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def latent_path(a: torch.Tensor, b: torch.Tensor, steps: int, method: Method) -> torch.Tensor:
    """`steps` codes from a to b inclusive, shaped (steps, *a.shape)."""
    t = torch.linspace(0.0, 1.0, steps, device=a.device, dtype=a.dtype)
    path = (slerp if method == "slerp" else linear)(a.flatten(), b.flatten(), t)
    return path.reshape(steps, *a.shape)


def interpolate(model, pair: torch.Tensor, steps: int, method: Method, *, pair_condition: torch.Tensor | None = None,
                condition: torch.Tensor | None = None, generator: torch.Generator | None = None,
                output: str = "sample") -> torch.Tensor:
    """`steps` decoded points between the codes of the two examples in `pair` (labels `pair_condition`).

    `condition` labels the decoded frames of a conditional model (one label per frame).
    """
    codes = model.encode(pair, condition=pair_condition)
    if codes.is_floating_point():
        path = latent_path(codes[0], codes[1], steps, method)
    else:
        embedded = model.embed(codes)
        path = model.quantize(latent_path(embedded[0], embedded[1], steps, method))[1]
    return model.decode_output(path, condition=condition, generator=generator, output=output)
