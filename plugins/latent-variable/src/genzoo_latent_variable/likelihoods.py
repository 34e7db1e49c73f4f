"""Decoder output distributions p(x | z): what the decoder's numbers mean, per DataSpec kind.

A decoder emits `params_per_value` numbers per data value; an `OutputDistribution` turns them into
a log-likelihood (nats per example), a sample that matches the DataSpec, and a mean image for
display. Binarized images get a Bernoulli; grey levels a discretized logistic (a probability mass
on the levels, so bits/dim are honest); unbounded data such as 2D toys a Gaussian.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch.nn import functional as F

from genzoo import DataSpec
from genzoo.errors import ConfigError

DecoderKind = Literal["auto", "bernoulli", "gaussian", "logistic"]
MIN_LOG_SCALE = -7.0


class OutputDistribution:
    params_per_value: int = 1

    def __init__(self, spec: DataSpec):
        self.spec = spec

    def log_prob(self, params: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """log p(x | params) summed over the values of each example: shape (n,)."""
        raise NotImplementedError

    def sample(self, params: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        raise NotImplementedError

    def mean(self, params: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def split(self, params: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(n, params_per_value * D) -> params_per_value tensors shaped (n, *spec.shape)."""
        shaped = params.reshape(len(params), self.params_per_value, *self.spec.shape)
        return tuple(shaped.unbind(1))


class BernoulliOutput(OutputDistribution):
    """Binary data: one logit per value."""

    def log_prob(self, params, x):
        (logits,) = self.split(params)
        return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)

    def sample(self, params, generator):
        probs = self.mean(params)
        return (torch.rand(probs.shape, generator=generator, device=probs.device, dtype=probs.dtype) < probs).to(probs.dtype)

    def mean(self, params):
        (logits,) = self.split(params)
        return torch.sigmoid(logits)


class GaussianOutput(OutputDistribution):
    """Continuous data: a mean and a log standard deviation per value (clamped away from 0)."""

    params_per_value = 2

    def log_prob(self, params, x):
        mean, log_scale = self._params(params)
        z = (x - mean) * torch.exp(-log_scale)
        return (-0.5 * z**2 - log_scale - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)

    def sample(self, params, generator):
        mean, log_scale = self._params(params)
        noise = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
        return self._clamp(mean + noise * log_scale.exp())

    def mean(self, params):
        return self._clamp(self._params(params)[0])

    def _params(self, params):
        mean, log_scale = self.split(params)
        return mean, log_scale.clamp(MIN_LOG_SCALE, 5.0)

    def _clamp(self, x):
        return x if self.spec.value_range is None else x.clamp(*self.spec.value_range)


class DiscretizedLogisticOutput(OutputDistribution):
    """Grey levels: a logistic per value integrated over each level's bin (PixelCNN++, one component).

    Levels k = 0..L-1 sit at low + k * width / (L - 1); the outer bins extend to infinity, so the
    masses sum to one. On discrete data log_prob is the mass; on dequantized data (k + u) / L it is
    the density of the uniform dequantization, mass * L / width, so bits/dim match either way.
    """

    params_per_value = 2

    def __init__(self, spec: DataSpec):
        super().__init__(spec)
        if spec.levels is None or spec.value_range is None:
            raise ConfigError("a discretized logistic decoder needs data with levels and a value_range")
        self.levels = spec.levels
        self.low, self.high = spec.value_range

    def log_prob(self, params, x):
        mean, log_scale = self._params(params)
        unit = (x - self.low) / (self.high - self.low)
        if self.spec.kind == "continuous":  # dequantized: bin k holds [k / L, (k + 1) / L)
            index = (unit * self.levels).floor().clamp(0, self.levels - 1)
            density_shift = math.log(self.levels / (self.high - self.low))
        else:
            index = (unit * (self.levels - 1)).round()
            density_shift = 0.0
        center = index / (self.levels - 1)
        half_bin = 0.5 / (self.levels - 1)
        inverse_scale = torch.exp(-log_scale)
        upper = inverse_scale * (center + half_bin - mean)
        lower = inverse_scale * (center - half_bin - mean)
        log_mass = torch.where(index == 0, F.logsigmoid(upper),  # the outer bins reach -inf and +inf
                               torch.where(index == self.levels - 1, F.logsigmoid(-lower),
                                           _log_sigmoid_difference(upper, lower)))
        return (log_mass + density_shift).flatten(1).sum(1)

    def sample(self, params, generator):
        mean, log_scale = self._params(params)
        u = torch.rand(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype).clamp(1e-6, 1 - 1e-6)
        draw = mean + log_scale.exp() * (torch.log(u) - torch.log1p(-u))
        return self._to_levels(draw)

    def mean(self, params):
        return self.low + (self.high - self.low) * self._params(params)[0].clamp(0, 1)

    def _params(self, params):
        mean, log_scale = self.split(params)
        return mean, log_scale.clamp_min(MIN_LOG_SCALE)

    def _to_levels(self, unit: torch.Tensor) -> torch.Tensor:
        index = (unit * (self.levels - 1)).round().clamp(0, self.levels - 1)
        return self.low + (self.high - self.low) * index / (self.levels - 1)


def _log_sigmoid_difference(upper: torch.Tensor, lower: torch.Tensor) -> torch.Tensor:
    """log(sigmoid(upper) - sigmoid(lower)) for upper > lower, stable in both tails.

    sigmoid(u) - sigmoid(l) = sigmoid(u) * sigmoid(-l) * (1 - e^(l - u)), so the log is a sum of
    logsigmoids and log(-expm1(l - u)), none of which cancels catastrophically.
    """
    return F.logsigmoid(upper) + F.logsigmoid(-lower) + torch.log(-torch.expm1(lower - upper).clamp_max(-1e-12))


def output_distribution(spec: DataSpec, kind: DecoderKind) -> OutputDistribution:
    """The decoder distribution for `spec`; "auto" picks by data kind."""
    if kind == "auto":
        if spec.kind == "binary":
            kind = "bernoulli"
        elif spec.levels is not None and spec.value_range is not None:
            kind = "logistic"
        else:
            kind = "gaussian"
    if kind == "bernoulli" and spec.kind != "binary":
        raise ConfigError(f"decoder 'bernoulli' models binary data, but the data is {spec.kind}")
    classes = {"bernoulli": BernoulliOutput, "gaussian": GaussianOutput, "logistic": DiscretizedLogisticOutput}
    return classes[kind](spec)
