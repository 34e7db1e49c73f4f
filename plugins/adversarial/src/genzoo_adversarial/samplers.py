"""The truncation sampler: latents from a truncated normal, through the generator (Brock et al. 2019).

Keeping |z_i| <= t trades diversity for fidelity: the generator sees only the latents it sees most
often. `method=resample` draws each coordinate from N(0, 1) conditioned on |z_i| <= t (the
distribution BigGAN's rejection resampling gives, drawn exactly by the inverse CDF, so the cost does
not grow as t shrinks); `method=clamp` clips draws to [-t, t]. It runs on any model with a
`latent_dim` and a `generate_from_latent(z, condition)` method.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo import Sampler

from genzoo_adversarial.noise import normal, uniform


class TruncationOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    truncation: float = Field(1.0, gt=0, description="Threshold t on each latent coordinate, in standard deviations.")
    method: Literal["resample", "clamp"] = Field("resample", description="resample: N(0, 1) restricted to [-t, t]; "
                                                                         "clamp: N(0, 1) clipped to [-t, t].")


def truncated_normal(shape: tuple[int, ...], truncation: float, generator: torch.Generator | None,
                     device: torch.device) -> torch.Tensor:
    """N(0, 1) conditioned on [-t, t]: u ~ U(Phi(-t), Phi(t)), z = Phi^-1(u), in float64 so tails stay accurate."""
    low = 0.5 * math.erfc(truncation / math.sqrt(2))  # Phi(-t)
    u = low + (1 - 2 * low) * uniform(shape, generator, device, torch.float64)
    return torch.special.ndtri(u).clamp(-truncation, truncation).float()


class TruncationSampler(Sampler):
    """Latents with every coordinate inside [-t, t], decoded by the generator."""

    Options = TruncationOptions

    def run(self, model, n, *, condition, generator, options):
        shape = (n, model.latent_dim)
        if options.method == "clamp":
            z = normal(shape, generator, model.device).clamp(-options.truncation, options.truncation)
        else:
            z = truncated_normal(shape, options.truncation, generator, model.device)
        return model.generate_from_latent(z, condition)
