"""An analytic denoiser for Gaussian data: the exact E[x_0 | x_t] makes samplers and the bound checkable."""

from __future__ import annotations

import genzoo
import pytest
from torch import nn


class GaussianPosteriorMean(nn.Module):
    """The optimal epsilon-predictor when x_0 ~ N(0, std^2 I): x_0_hat = a std^2 x_t / (a^2 std^2 + s^2)."""

    def __init__(self, schedule, std: float):
        super().__init__()
        self.schedule, self.std = schedule, std

    def forward(self, x, t, labels=None):
        a, s = (scale.double() for scale in self.schedule.scales(t, x))
        x = x.double()
        x0 = a * self.std**2 * x / (a**2 * self.std**2 + s**2)
        return ((x - a * x0) / s).float()


@pytest.fixture
def gaussian_ddpm():
    """`gaussian_ddpm(std, timesteps)`: a 2D ddpm-mlp whose denoiser is exact for N(0, std^2 I) data."""

    def build(std: float = 0.7, timesteps: int = 1000):
        model = genzoo.create("ddpm-mlp", timesteps=timesteps, hidden=4, layers=1)
        model.denoiser = GaussianPosteriorMean(model.schedule, std)
        return model.eval()

    return build


@pytest.fixture
def gaussian_pixel_ddpm():
    """A 256-level 4x4-pixel ddpm (T=200) whose denoiser is exact for N(0, 1) pixels in diffusion space, where
    [-1, 1] is the data range: about 16% of them sit below it, at level 0, like an image's background."""
    model = genzoo.create("ddpm", timesteps=200, channels=(8,), attention_levels=(), patch_size=1,
                          data={"shape": (1, 4, 4), "kind": "discrete", "value_range": (0, 1), "levels": 256})
    model.denoiser = GaussianPosteriorMean(model.schedule, 1.0)
    return model.eval()
