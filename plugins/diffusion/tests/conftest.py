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
