"""The terms of the variational bound (Ho et al. 2020, eq. 5), in nats per dimension.

L = L_T + sum_{t>1} KL(q(x_{t-1} | x_t, x_0) || p(x_{t-1} | x_t)) - log p(x_0 | x_1). The last
term is a discretized Gaussian (a probability mass on the data's levels, edges open to +-inf)
for image data and a Gaussian density for continuous data such as the 2D toys.
"""

from __future__ import annotations

import math

import torch
from torch.special import log_ndtr


def normal_kl(mean1: torch.Tensor, log_var1: torch.Tensor, mean2: torch.Tensor, log_var2: torch.Tensor) -> torch.Tensor:
    """KL(N(mean1, exp(log_var1)) || N(mean2, exp(log_var2))), elementwise."""
    return 0.5 * (log_var2 - log_var1 + torch.exp(log_var1 - log_var2)
                  + (mean1 - mean2) ** 2 * torch.exp(-log_var2) - 1.0)


def gaussian_log_density(x: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    return -0.5 * (math.log(2 * math.pi) + log_var + (x - mean) ** 2 * torch.exp(-log_var))


def discretized_gaussian_log_mass(x: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor,
                                  bin_width: float, low: float = -1.0, high: float = 1.0) -> torch.Tensor:
    """log P(bin of x) under N(mean, exp(log_var)); the first and last bins extend to -inf and +inf.

    Uses log-CDF differences computed stably in float64: the bins are narrow and the variance at
    t = 1 is tiny, so the naive difference of CDFs underflows.
    """
    x, mean = x.double(), mean.double()
    inv_std = torch.exp(-0.5 * log_var.double())
    upper = (x + bin_width / 2 - mean) * inv_std
    lower = (x - bin_width / 2 - mean) * inv_std
    log_cdf_upper = log_ndtr(upper)
    log_survival_lower = log_ndtr(-lower)
    # log(Phi(upper) - Phi(lower)) via whichever tail is more accurate for this bin
    middle = torch.where(
        lower > 0,
        log_survival_lower + torch.log1p(-torch.exp((log_ndtr(-upper) - log_survival_lower).clamp(max=0)) + 1e-300),
        log_cdf_upper + torch.log1p(-torch.exp((log_ndtr(lower) - log_cdf_upper).clamp(max=0)) + 1e-300),
    )
    edge = bin_width / 2 * 1e-3
    result = torch.where(x <= low + edge, log_cdf_upper, torch.where(x >= high - edge, log_survival_lower, middle))
    return result.float()
