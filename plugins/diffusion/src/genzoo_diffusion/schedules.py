"""Noise schedules of the forward process q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I).

Two schedules: Ho et al.'s linear betas (1e-4 to 0.02 over T = 1000, scaled for other T) and
Nichol & Dhariwal's cosine abar. Tables are computed in float64 and then stored as float32, like
the reference implementations, because 1 - abar_t is tiny near t = 0.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

ScheduleName = Literal["linear", "cosine"]


def linear_betas(timesteps: int) -> torch.Tensor:
    """Ho et al. 2020: betas linear from 1e-4 to 0.02 at T = 1000, scaled by 1000 / T for other T
    (capped at 0.999 so that very short toy chains stay invertible)."""
    scale = 1000 / timesteps
    return torch.linspace(scale * 1e-4, scale * 0.02, timesteps, dtype=torch.float64).clamp(max=0.999)


def cosine_betas(timesteps: int, offset: float = 0.008, max_beta: float = 0.999) -> torch.Tensor:
    """Nichol & Dhariwal 2021: abar(t) = cos^2(((t/T + s) / (1 + s)) pi / 2), betas clipped at 0.999."""
    steps = torch.arange(timesteps + 1, dtype=torch.float64) / timesteps
    abar = torch.cos((steps + offset) / (1 + offset) * math.pi / 2) ** 2
    return (1 - abar[1:] / abar[:-1]).clamp(max=max_beta)


def make_betas(name: ScheduleName, timesteps: int) -> torch.Tensor:
    return {"linear": linear_betas, "cosine": cosine_betas}[name](timesteps)


class Schedule(nn.Module):
    """Every per-timestep coefficient the training loss, the bound and the samplers use (index t = 0..T-1).

    Timestep t here is the paper's t + 1: index 0 is the first noising step (beta_1). The tables are
    non-persistent buffers: they follow the model to its device but are derived from the config, so
    checkpoints hold only weights.
    """

    def __init__(self, betas: torch.Tensor):
        super().__init__()
        betas = betas.double()
        alphas = 1 - betas
        abar = torch.cumprod(alphas, dim=0)
        abar_prev = torch.cat([abar.new_ones(1), abar[:-1]])
        posterior_variance = betas * (1 - abar_prev) / (1 - abar)
        tables = {
            "betas": betas,
            "alphas_cumprod": abar,
            "sqrt_alphas_cumprod": abar.sqrt(),
            "sqrt_one_minus_alphas_cumprod": (1 - abar).sqrt(),
            "posterior_variance": posterior_variance,
            # index 0 has zero posterior variance; the bound and the sampler use beta_1 there instead (as Ho et al.)
            "posterior_log_variance": torch.log(torch.cat([posterior_variance[1:2], posterior_variance[1:]])),
            "log_betas": torch.log(torch.cat([posterior_variance[1:2], betas[1:]])),
            "posterior_mean_x0": betas * abar_prev.sqrt() / (1 - abar),
            "posterior_mean_xt": (1 - abar_prev) * alphas.sqrt() / (1 - abar),
        }
        for name, table in tables.items():
            self.register_buffer(name, table.float(), persistent=False)
        self.timesteps = len(betas)

    @staticmethod
    def gather(table: torch.Tensor, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
        """table[t] shaped to broadcast against `like` (batch first)."""
        return table[t].reshape(-1, *([1] * (like.dim() - 1)))

    def scales(self, t: torch.Tensor, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(sqrt(abar_t), sqrt(1 - abar_t)) shaped to broadcast against `like`: x_t = a x_0 + s eps."""
        return self.gather(self.sqrt_alphas_cumprod, t, like), self.gather(self.sqrt_one_minus_alphas_cumprod, t, like)

    def q_sample(self, x0: torch.Tensor, t: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps."""
        a, s = self.scales(t, x0)
        return a * x0 + s * noise

    def posterior(self, x0: torch.Tensor, xt: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log variance of q(x_{t-1} | x_t, x_0)."""
        mean = self.gather(self.posterior_mean_x0, t, xt) * x0 + self.gather(self.posterior_mean_xt, t, xt) * xt
        return mean, self.gather(self.posterior_log_variance, t, xt)
