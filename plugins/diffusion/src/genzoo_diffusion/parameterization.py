"""What the denoiser predicts: the noise (Ho et al.), the clean example, or v (Salimans & Ho 2022).

With a = sqrt(abar_t) and s = sqrt(1 - abar_t), x_t = a x_0 + s eps and v = a eps - s x_0; any one
prediction gives the other two, so samplers and the bound only ever see (eps, x_0).
"""

from __future__ import annotations

from typing import Literal

import torch

Prediction = Literal["epsilon", "x0", "v"]

# The sign with which an error in each target moves the x_0 it implies (split_prediction):
# x_0 = (x_t - s eps) / a, x_0 itself, x_0 = a x_t - s v.
X0_DIRECTION: dict[Prediction, float] = {"epsilon": -1.0, "x0": 1.0, "v": -1.0}


def training_target(prediction: Prediction, x0: torch.Tensor, noise: torch.Tensor,
                    a: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """The regression target of the simple loss for each parameterization."""
    if prediction == "epsilon":
        return noise
    if prediction == "x0":
        return x0
    return a * noise - s * x0


def split_prediction(prediction: Prediction, output: torch.Tensor, xt: torch.Tensor,
                     a: torch.Tensor, s: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(eps, x_0) implied by the network output at x_t."""
    if prediction == "epsilon":
        return output, (xt - s * output) / a
    if prediction == "x0":
        return (xt - a * output) / s, output
    return s * xt + a * output, a * xt - s * output
