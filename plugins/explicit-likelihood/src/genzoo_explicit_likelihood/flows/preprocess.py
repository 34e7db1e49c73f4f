"""Map bounded data to the whole real line before a flow, with the exact Jacobian.

A flow's base distribution has unbounded support; image data live in [low, high]. RealNVP (Dinh et
al. 2017, section 4.1) models logit(alpha + (1 - 2 alpha) u) with u = (x - low) / (high - low)
instead: alpha keeps the logit finite at u = 0 and u = 1, and keeps the dequantization bins of the
extreme levels short in logit space. The log-det of that map is part of the likelihood, so densities
(and bits/dim) stay those of x, not of the logit. The inverse maps all of R onto the open interval
(low - m, high + m), m = alpha (high - low) / (1 - 2 alpha): that is the support of a flow built on it. Data outside [low, high]
have zero density under such a model, and are refused with a clear error instead of a NaN.
"""

from __future__ import annotations

import math

import torch
from genzoo.plugin import CapabilityError
from torch.nn import functional as F

from genzoo_explicit_likelihood.flows.layer import FlowLayer


class LogitTransform(FlowLayer):
    """x in [low, high] -> logit(alpha + (1 - 2 alpha) (x - low) / (high - low)), elementwise."""

    def __init__(self, alpha: float = 0.05, value_range: tuple[float, float] = (0.0, 1.0)):
        super().__init__()
        low, high = (float(v) for v in value_range)
        if not high > low:
            raise ValueError(f"value_range must have low < high, not {value_range}")
        if not 0.0 < alpha < 0.5:
            raise ValueError(f"alpha must be in (0, 0.5), not {alpha}")
        self.alpha, self.low, self.high = float(alpha), low, high
        # d y / d x of the affine part, the same for every element
        self.log_affine_slope = math.log(1.0 - 2.0 * alpha) - math.log(high - low)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        inside = (x >= self.low) & (x <= self.high)  # False for NaN too
        if not bool(inside.all()):
            example = x[~inside].flatten()[0].item()
            raise CapabilityError(
                f"data outside the flow's support [{self.low}, {self.high}] (e.g. {example:g}); "
                "it has zero density under this model: rescale the data or set value_range")
        y = self.alpha + (1.0 - 2.0 * self.alpha) * (x - self.low) / (self.high - self.low)
        z = torch.log(y) - torch.log1p(-y)
        # d logit(y) / dy = 1 / (y (1 - y)); written with softplus of z for accuracy near the ends
        log_det = self.log_affine_slope + F.softplus(z) + F.softplus(-z)
        return z, log_det.flatten(1).sum(1)

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        """Back to [low, high] up to alpha's margin (sigmoid never reaches alpha's ends exactly)."""
        u = (torch.sigmoid(z) - self.alpha) / (1.0 - 2.0 * self.alpha)
        return self.low + (self.high - self.low) * u
