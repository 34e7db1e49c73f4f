"""Bernoulli heads: binary data (binarized images, RBM units) scored and drawn from logits or probabilities."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from genzoo.distributions.draws import uniform


def bernoulli_log_prob(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """log p(x) elementwise for x in {0, 1} (integer or float) under Bernoulli(sigmoid(logits)).

    Computed as -softplus(-logits) or -softplus(logits), never through log(sigmoid), so large logits
    give exact zeros instead of log(0).
    """
    return -F.binary_cross_entropy_with_logits(logits, x.to(logits.dtype), reduction="none")


def sample_bernoulli(probs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """0/1 draws in probs' dtype and device with success probabilities `probs`.

    The uniforms come from `generator` on its own device (see `draws`), which `torch.bernoulli`
    cannot do.
    """
    return (uniform(probs.shape, generator, device=probs.device, dtype=probs.dtype) < probs).to(probs.dtype)
