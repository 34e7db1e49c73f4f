"""Averages of importance weights in log space: IWAE bounds, AIS estimates, mixtures of equal weight."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch


def log_mean_exp(values: torch.Tensor, dim: int = 0) -> torch.Tensor:
    """log(mean(exp(values))) along `dim`, exact for values far below -700 where exp underflows."""
    return torch.logsumexp(values, dim=dim) - math.log(values.shape[dim])


@torch.no_grad()
def importance_sampled_log_prob(draw: Callable[[int], tuple[torch.Tensor, torch.Tensor]], k: int,
                                chunk: int = 100) -> torch.Tensor:
    """log p(x) ~ log (1/k) sum_i p(x, z_i) / q(z_i | x) for a batch of x, in chunks of k.

    `draw(m)` draws m fresh z_i ~ q(z | x) per example and returns (log p(x, z), log q(z | x)), each
    shaped (m, batch) (log q may be 0 when log p already holds the weight). Chunks are combined with
    logaddexp, so k = 5000 fits in memory and weights far below exp(-700) do not underflow. The
    estimate is a stochastic lower bound (the IWAE bound) that tightens as k grows and is exact when
    q is the true posterior.
    """
    total = None
    for start in range(0, k, chunk):
        log_joint, log_q = draw(min(chunk, k - start))
        part = torch.logsumexp(log_joint - log_q, dim=0)
        total = part if total is None else torch.logaddexp(total, part)
    return total - math.log(k)
