"""Gaussian densities, KL divergences and the discretized Gaussian of diffusion decoders."""

from __future__ import annotations

import math

import torch
from torch.special import log_ndtr

from genzoo.distributions.levels import UNIT, ValueRange, from_levels, to_levels

LOG_2PI = math.log(2 * math.pi)


def normal_log_prob(x: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """log N(x | mean, exp(log_var)) elementwise."""
    return -0.5 * (LOG_2PI + log_var + (x - mean) ** 2 * torch.exp(-log_var))


def normal_kl(mean1: torch.Tensor, log_var1: torch.Tensor, mean2: torch.Tensor, log_var2: torch.Tensor) -> torch.Tensor:
    """KL(N(mean1, exp(log_var1)) || N(mean2, exp(log_var2))) elementwise."""
    return 0.5 * (log_var2 - log_var1 + torch.exp(log_var1 - log_var2)
                  + (mean1 - mean2) ** 2 * torch.exp(-log_var2) - 1.0)


def discretized_gaussian_log_prob(x: torch.Tensor, mean: torch.Tensor, log_var: torch.Tensor, levels: int,
                                  value_range: ValueRange = UNIT) -> torch.Tensor:
    """log P(level of x) under N(mean, exp(log_var)) integrated over the level's bin, elementwise.

    x holds values in `value_range` or int64 level indices. Bin k spans its level's value +- half the
    level spacing; the first and last bins extend to -inf and +inf, so the masses of the L levels sum
    to one (Ho et al. 2020's decoder). The log-CDF differences are taken in float64 from whichever
    tail is more accurate: the bins are narrow and the variance near t = 0 is tiny, so the naive
    difference of CDFs underflows. The result has mean's dtype (at least float32).
    """
    result_dtype = torch.promote_types(mean.dtype, torch.float32)
    index = x if not x.is_floating_point() else to_levels(x, levels, value_range)
    center = from_levels(index, levels, value_range, dtype=x.dtype if x.is_floating_point() else mean.dtype).double()
    low, high = value_range
    half_bin = 0.5 * (high - low) / (levels - 1)
    inv_std = torch.exp(-0.5 * log_var.double())
    mean = mean.double()
    upper = (center + half_bin - mean) * inv_std
    lower = (center - half_bin - mean) * inv_std
    log_cdf_upper = log_ndtr(upper)
    log_survival_lower = log_ndtr(-lower)
    middle = torch.where(
        lower > 0,
        log_survival_lower + torch.log1p(-torch.exp((log_ndtr(-upper) - log_survival_lower).clamp(max=0)) + 1e-300),
        log_cdf_upper + torch.log1p(-torch.exp((log_ndtr(lower) - log_cdf_upper).clamp(max=0)) + 1e-300),
    )
    log_mass = torch.where(index == 0, log_cdf_upper, torch.where(index == levels - 1, log_survival_lower, middle))
    return log_mass.to(result_dtype)
