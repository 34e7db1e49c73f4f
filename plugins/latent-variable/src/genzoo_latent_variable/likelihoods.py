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

from genzoo import DataSpec
from genzoo.plugin import (
    ConfigError,
    bernoulli_log_prob,
    discretized_logistic_log_prob,
    normal_log_prob,
    sample_bernoulli,
    sample_discretized_logistic,
)

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
        return bernoulli_log_prob(logits, x).flatten(1).sum(1)

    def sample(self, params, generator):
        return sample_bernoulli(self.mean(params), generator)

    def mean(self, params):
        (logits,) = self.split(params)
        return torch.sigmoid(logits)


class GaussianOutput(OutputDistribution):
    """Continuous data: a mean and a log standard deviation per value (clamped away from 0)."""

    params_per_value = 2

    def log_prob(self, params, x):
        mean, log_scale = self._params(params)
        return normal_log_prob(x, mean, 2 * log_scale).flatten(1).sum(1)

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

    The decoder's numbers are a mean and a log-scale in units of the value range (0 = low, 1 = high);
    `genzoo.distributions` integrates the logistic over the bins. On discrete data log_prob is the
    mass; on dequantized data it is the density of the uniform dequantization, mass * L / width, so
    bits/dim match either way.
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
        dequantized = self.spec.kind == "continuous"
        return discretized_logistic_log_prob(x, mean, log_scale, self.levels, (self.low, self.high),
                                             dequantized=dequantized).flatten(1).sum(1)

    def sample(self, params, generator):
        mean, log_scale = self._params(params)
        return sample_discretized_logistic(mean, log_scale, self.levels, (self.low, self.high), generator)

    def mean(self, params):
        unit_mean, _ = self.split(params)
        return self.low + (self.high - self.low) * unit_mean.clamp(0, 1)

    def _params(self, params):
        """The logistic's mean and log-scale in the data's units."""
        unit_mean, log_scale = self.split(params)
        width = self.high - self.low
        return self.low + width * unit_mean, log_scale.clamp_min(MIN_LOG_SCALE) + math.log(width)


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
