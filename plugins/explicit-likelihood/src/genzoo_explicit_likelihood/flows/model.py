"""The model side of a normalizing flow: a `FlowLayer` from data to a base distribution, as a genzoo model.

A subclass builds `self.flow` (data -> z) and `self.base` (e.g. `StandardNormal()`) in `__init__`;
this class supplies what every flow model does the same way: the exact log-likelihood by the change
of variables, ancestral sampling by inverting the flow, and sampling at a temperature (the
`temperature` sampler). RealNVP and Glow are such subclasses; so can a third-party flow be.
"""

from __future__ import annotations

import torch
from genzoo import Capability, GenerativeModel
from genzoo.plugin import CapabilityError


class FlowModel(GenerativeModel):
    """log p(x) = log base(flow(x)) + log|det d flow / dx|; samples are flow.inverse(base noise)."""

    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})
    default_sampler = "ancestral"

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Exact log-density in nats per example; a batch of the wrong shape raises CapabilityError (and a
        flow that starts with a LogitTransform refuses data outside its support)."""
        shape = self.data_spec.shape
        if tuple(x.shape[1:]) != shape:
            raise CapabilityError(f"{self.name} log_prob takes a batch shaped (n, {', '.join(map(str, shape))}), "
                                  f"got {tuple(x.shape)}")
        z, log_det = self.flow(x.to(self.dtype))
        return self.base.log_prob(z) + log_det

    def generate(self, n: int, *, condition=None, generator: torch.Generator | None = None) -> torch.Tensor:
        return self.generate_tempered(n, 1.0, condition=condition, generator=generator)

    def generate_tempered(self, n: int, temperature: float, *, condition=None,
                          generator: torch.Generator | None = None) -> torch.Tensor:
        """Invert the flow on base noise scaled by `temperature` (1 = the model's own distribution). The noise
        is float32 whatever the weights' dtype (reduced-precision weights run under the model's autocast)."""
        z = temperature * self.base.sample(n, self.data_spec.shape, generator=generator, device=self.device,
                                           dtype=torch.float32)
        x = self.flow.inverse(z).float()
        if self.data_spec.value_range is not None:  # a logit transform's margin maps a little past the range ends
            x = x.clamp(*self.data_spec.value_range)
        return x
