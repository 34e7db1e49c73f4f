"""DDPM on 2D points (or any flat vectors) with an MLP denoiser, for the toy densities."""

from __future__ import annotations

from typing import ClassVar

import torch
from genzoo import Capability, DataSpec
from pydantic import Field
from torch import nn

from genzoo_diffusion.diffusion import DiffusionConfig, DiffusionModel
from genzoo_diffusion.unet import timestep_embedding

POINTS_2D = DataSpec(shape=(2,), value_range=None)


class MLPDenoiser(nn.Module):
    """x_t and a sinusoidal time embedding through a residual MLP with SiLU activations."""

    def __init__(self, dim: int, hidden: int, layers: int):
        super().__init__()
        self.time_dim = hidden
        self.input = nn.Linear(dim, hidden)
        self.time = nn.Sequential(nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(hidden), nn.Linear(hidden, hidden), nn.SiLU(),
                                                  nn.Linear(hidden, hidden)) for _ in range(layers))
        self.output = nn.Sequential(nn.LayerNorm(hidden), nn.SiLU(), nn.Linear(hidden, dim))

    def forward(self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        h = self.input(x) + self.time(timestep_embedding(t, self.time_dim))
        for block in self.blocks:
            h = h + block(h)
        return self.output(h)


class MLPConfig(DiffusionConfig):
    data: DataSpec = POINTS_2D
    hidden: int = Field(128, ge=1, description="Width of the residual MLP.")
    layers: int = Field(3, ge=1, description="Residual blocks.")


class VectorDDPM(DiffusionModel):
    """DDPM on flat vectors such as 2D toy points; the bound's last term is a Gaussian density."""

    config_class: ClassVar = MLPConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB_BOUND})
    default_sampler = "ddpm"

    def build_denoiser(self) -> MLPDenoiser:
        c = self.config
        if len(c.data.shape) != 1:
            raise ValueError(f"the MLP DDPM models flat vectors, got examples shaped {c.data.shape}")
        return MLPDenoiser(c.data.shape[0], c.hidden, c.layers)
