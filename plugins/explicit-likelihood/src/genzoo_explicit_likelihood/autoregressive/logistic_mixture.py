"""PixelCNN++'s output head: a discretized logistic mixture per element, as log-probabilities over the K values.

The network emits, per element, 3M numbers: M mixture logits, M means and M log-scales (clamped below at
-7, as in Salimans et al. 2017), in the network's own [-1, 1] coordinates where level k sits at
-1 + 2k / (K - 1). Each logistic is integrated over its level's bin (+- half a level spacing); the bins of
levels 0 and K - 1 reach -inf and +inf, so the K masses sum to one (the paper's edge cases). The mass
itself comes from genzoo's shared `discretized_logistic_mixture_log_prob`, whose log-CDF difference
is computed stably (log sigma(u) + log sigma(-l) + log(1 - e^(l - u))), so the paper's fallback for
tiny differences (the density at the bin centre) is not needed.

Two views of the same numbers: `chosen_log_probs` for given values only (what training and `log_prob` use:
genzoo's function, K times less memory than all levels) and `level_log_probs` over all K values (what the
autoregressive contract's `element_log_probs` returns, so the samplers and completion use it unchanged).
The all-levels view is the same stable formula arranged for K bins at once, about twice as fast as calling
the shared function on every level: neighbouring bins share an edge, so the K - 1 interior edges' log
sigma(+-z) are computed once, and log(1 - e^(l - u)) depends on the component only (every bin is 2 / (K - 1)
wide). It agrees with `chosen_log_probs` to float32 round-off (tests check both against each other).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch.nn import functional as F

from genzoo.plugin import discretized_logistic_mixture_log_prob

NETWORK_RANGE = (-1.0, 1.0)
MIN_LOG_SCALE = -7.0  # the paper's clamp: a scale of e^-7 ~ 1e-3, well under a 256-level spacing of 2/255


class MixtureParameters(NamedTuple):
    """(..., M) each: mixture logits, means and log-scales in the network's [-1, 1] coordinates."""

    logits: torch.Tensor
    mean: torch.Tensor
    log_scale: torch.Tensor

    @classmethod
    def split(cls, raw: torch.Tensor, components: int) -> MixtureParameters:
        """Split the network's (..., 3M) output into the three parts; log-scales clamped at MIN_LOG_SCALE."""
        if raw.shape[-1] != 3 * components:
            raise ValueError(f"expected 3 x {components} mixture outputs, got {raw.shape[-1]}")
        logits, mean, log_scale = raw.split(components, dim=-1)
        return cls(logits, mean, log_scale.clamp(min=MIN_LOG_SCALE))

    def unsqueeze(self, dim: int) -> MixtureParameters:
        return MixtureParameters(*(t.unsqueeze(dim) for t in self))


def chosen_log_probs(index: torch.Tensor, parameters: MixtureParameters, levels: int) -> torch.Tensor:
    """log p(index) elementwise: index (...) int64 level indices, parameters (..., M) -> (...)."""
    return discretized_logistic_mixture_log_prob(index, *parameters, levels, NETWORK_RANGE)


def level_log_probs(parameters: MixtureParameters, levels: int) -> torch.Tensor:
    """log p(k) for every level k: parameters (..., M) -> (..., K), which sums to one in probability.

    Component m's bin k is [e_k, e_(k+1)] with e_0 = -inf, e_K = +inf and the interior edges halfway between
    levels; its log mass is log sigma(z_(k+1)) + log sigma(-z_k) + log(1 - e^(-w)) for z = (e - mu) / s and
    w = 2 / ((K - 1) s), log sigma(z_1) for k = 0 and log sigma(-z_(K-1)) for k = K - 1.
    """
    logits, mean, log_scale = parameters
    low, high = NETWORK_RANGE
    spacing = (high - low) / (levels - 1)
    edges = torch.arange(1, levels, device=mean.device, dtype=mean.dtype) * spacing + (low - spacing / 2)
    inverse_scale = torch.exp(-log_scale).unsqueeze(-1)  # (..., M, 1)
    z = (edges - mean.unsqueeze(-1)) * inverse_scale  # (..., M, K - 1)
    below, above = F.logsigmoid(z), F.logsigmoid(-z)  # log sigma(z), log sigma(-z) at every interior edge
    gap = torch.log(-torch.expm1(-spacing * inverse_scale).clamp_max(-1e-12))
    per_component = torch.cat([below[..., :1], below[..., 1:] + above[..., :-1] + gap, above[..., -1:]], dim=-1)
    return torch.logsumexp(torch.log_softmax(logits, dim=-1).unsqueeze(-1) + per_component, dim=-2)
