"""The discretized logistic and its mixture (PixelCNN++, Salimans et al. 2017): masses on quantised data.

A logistic with mean mu and scale s = exp(log_scale) is integrated over each level's bin (the level's
value +- half the spacing); the first and last bins extend to -inf and +inf, so the L masses sum to
one and -log p is an honest code length. On uniformly dequantized data (see `levels`) the same
model is a piecewise-constant density: the mass of the bin holding x times L / (high - low), so
bits/dim agree between the two forms. mean and log_scale are in the data's own units.
"""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from genzoo.distributions.categorical import sample_categorical
from genzoo.distributions.draws import uniform
from genzoo.distributions.levels import UNIT, ValueRange, from_levels, snap_to_levels, to_levels


def discretized_logistic_log_prob(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor, levels: int,
                                  value_range: ValueRange = UNIT, *, dequantized: bool = False) -> torch.Tensor:
    """log p(x) elementwise: the log mass of x's level, or with `dequantized=True` the log density.

    x holds values in `value_range` (on the level grid, or dequantized) or int64 level indices.
    """
    index = x if not x.is_floating_point() else to_levels(x, levels, value_range, dequantized=dequantized)
    low, high = value_range
    center = from_levels(index, levels, value_range, dtype=x.dtype if x.is_floating_point() else mean.dtype)
    half_bin = 0.5 * (high - low) / (levels - 1)
    inverse_scale = torch.exp(-log_scale)
    upper = inverse_scale * (center + half_bin - mean)
    lower = inverse_scale * (center - half_bin - mean)
    log_mass = torch.where(index == 0, F.logsigmoid(upper),  # the outer bins reach -inf and +inf
                           torch.where(index == levels - 1, F.logsigmoid(-lower), log_sigmoid_difference(upper, lower)))
    return log_mass + math.log(levels / (high - low)) if dequantized else log_mass


def discretized_logistic_mixture_log_prob(x: torch.Tensor, logits: torch.Tensor, mean: torch.Tensor,
                                          log_scale: torch.Tensor, levels: int, value_range: ValueRange = UNIT, *,
                                          dequantized: bool = False) -> torch.Tensor:
    """log p(x) elementwise under a mixture of discretized logistics whose components are the last axis.

    logits, mean and log_scale have shape (*x.shape, K) or broadcast to it (e.g. logits shared by the
    channels of a pixel); the mixture weights are softmax(logits).
    """
    components = discretized_logistic_log_prob(x.unsqueeze(-1), mean, log_scale, levels, value_range,
                                               dequantized=dequantized)
    return torch.logsumexp(torch.log_softmax(logits, dim=-1) + components, dim=-1)


def sample_discretized_logistic(mean: torch.Tensor, log_scale: torch.Tensor, levels: int,
                                value_range: ValueRange = UNIT, generator: torch.Generator | None = None) -> torch.Tensor:
    """Level values (in mean's dtype) drawn by inverting the logistic CDF and snapping to the grid."""
    u = uniform(mean.shape, generator, device=mean.device, dtype=mean.dtype).clamp(1e-6, 1 - 1e-6)
    draw = mean + log_scale.exp() * (torch.log(u) - torch.log1p(-u))
    return snap_to_levels(draw, levels, value_range)


def sample_discretized_logistic_mixture(logits: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor,
                                        levels: int, value_range: ValueRange = UNIT,
                                        generator: torch.Generator | None = None) -> torch.Tensor:
    """Level values drawn from a mixture (components on the last axis): a component, then its logistic."""
    shape = torch.broadcast_shapes(logits.shape, mean.shape, log_scale.shape)
    component = sample_categorical(logits.expand(shape), generator).unsqueeze(-1)
    chosen_mean, chosen_log_scale = (t.expand(shape).gather(-1, component).squeeze(-1) for t in (mean, log_scale))
    return sample_discretized_logistic(chosen_mean, chosen_log_scale, levels, value_range, generator)


def log_sigmoid_difference(upper: torch.Tensor, lower: torch.Tensor) -> torch.Tensor:
    """log(sigmoid(upper) - sigmoid(lower)) for upper > lower, stable in both tails.

    sigmoid(u) - sigmoid(l) = sigmoid(u) sigmoid(-l) (1 - e^(l - u)), so the log is a sum of
    logsigmoids and log(-expm1(l - u)), none of which cancels catastrophically.
    """
    return F.logsigmoid(upper) + F.logsigmoid(-lower) + torch.log(-torch.expm1(lower - upper).clamp_max(-1e-12))
