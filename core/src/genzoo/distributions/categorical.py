"""Categorical heads: one logit per class, level or token along an axis."""

from __future__ import annotations

import torch

from genzoo.distributions.draws import uniform


def categorical_log_prob(logits: torch.Tensor, index: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log p(index) under softmax(logits) along `dim`; `index` has logits' shape without `dim`."""
    log_probs = torch.log_softmax(logits, dim=dim)
    return log_probs.gather(dim, index.long().unsqueeze(dim)).squeeze(dim)


def sample_categorical(logits: torch.Tensor, generator: torch.Generator | None = None, dim: int = -1) -> torch.Tensor:
    """One int64 index per distribution (logits' shape without `dim`), by inverting the CDF at a uniform.

    Unlike `torch.multinomial`, this takes any batch shape and a generator on another device.
    """
    probs = torch.softmax(logits.movedim(dim, -1), dim=-1)
    cdf = probs.cumsum(-1)
    u = uniform((*cdf.shape[:-1], 1), generator, device=cdf.device, dtype=cdf.dtype)
    return (cdf <= u).sum(-1).clamp_max(cdf.shape[-1] - 1)
