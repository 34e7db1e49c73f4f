"""The model side of a normalizing flow: a `FlowLayer` from data to a base distribution, as a genzoo model.

A subclass builds `self.flow` (data -> z) and `self.base` (e.g. `StandardNormal()`) in `__init__`;
this class supplies what every flow model does the same way: the exact log-likelihood by the change
of variables, ancestral sampling by inverting the flow, and sampling at a temperature (the
`temperature` sampler). RealNVP and Glow are such subclasses; so can a third-party flow be.
"""

from __future__ import annotations

import torch
from genzoo import Capability, DataSpec, GenerativeModel
from genzoo.plugin import CapabilityError, GenzooError


def require_continuous_float32(spec: DataSpec, architecture: str) -> None:
    """A flow is a density on R^D: trained on a discrete, binary or int64 view it fits a continuous density to a
    probability mass function, which grows without bound and reports impossible (negative) bits/dim. Both flow
    configs call this from their validators, so such a run fails at config time, before any checkpoint."""
    if spec.kind != "continuous" or spec.dtype != "float32":
        raise ValueError(f"{architecture} models continuous data, not {spec.kind} {spec.dtype} data; "
                         "train it on dequantized images (--set data.view=dequantized)")


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
        """Invert the flow on base noise scaled by `temperature` (1 = the model's own distribution). The noise is
        drawn in the weights' dtype, at least float32 (reduced-precision weights run under the model's autocast).

        The inverse of a contracting coupling expands, without bound (Glow's sigmoid scales): noise far out in
        the base's tail, likelier at T > 1, can overflow to inf/NaN. Such samples are refused with an error
        rather than returned; the temperature sampler therefore stops at T = 1."""
        dtype = torch.promote_types(self.dtype, torch.float32)
        z = temperature * self.base.sample(n, self.data_spec.shape, generator=generator, device=self.device,
                                           dtype=dtype)
        x = self.flow.inverse(z).float()
        if not bool(torch.isfinite(x).all()):
            bad = int((~torch.isfinite(x)).flatten(1).any(1).sum())
            raise GenzooError(f"{self.name}: {bad} of {n} samples at temperature {temperature:g} overflowed to "
                              "inf/NaN while inverting the flow; sample at a lower temperature")
        if self.data_spec.value_range is not None:  # a logit transform's margin maps a little past the range ends
            x = x.clamp(*self.data_spec.value_range)
        return x
