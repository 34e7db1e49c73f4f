"""The one capability vocabulary shared by every family.

A capability is a promise about what a model can do through genzoo's interfaces; `genzoo list
--capability log_prob` filters on it and samplers declare the capabilities they need.
"""

from __future__ import annotations

from enum import Enum


class Capability(str, Enum):
    SAMPLE = "sample"  # Generator.sample
    CONDITIONAL = "conditional"  # sample(condition=labels)
    ENCODE = "encode"  # Encoder.encode
    DECODE = "decode"  # Encoder.decode
    LOG_PROB = "log_prob"  # exact log-likelihood in nats per example
    LOG_PROB_BOUND = "log_prob_bound"  # a lower bound (ELBO, IWAE, diffusion VLB) in nats
    LOG_PROB_ESTIMATE = "log_prob_estimate"  # a stochastic estimate, neither exact nor a bound (RBM with AIS)
    TRANSLATE = "translate"  # image to image
    COMPLETE = "complete"  # sample(prefix=..., prefix_length=...): draw the rest of partly observed examples

    def __str__(self) -> str:
        return self.value


ALL_CAPABILITIES = tuple(c.value for c in Capability)
# A model with any of these implements `log_prob`.
LIKELIHOOD_CAPABILITIES = frozenset({Capability.LOG_PROB, Capability.LOG_PROB_BOUND, Capability.LOG_PROB_ESTIMATE})
