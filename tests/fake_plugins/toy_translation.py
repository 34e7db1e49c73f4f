"""Tiny models of the newer interfaces for the core tests: `toy-invert` maps a 1x8x8 image x (the
size of the built-in digits) to 1 - x plus seeded noise, at twice the size, so `translate`, its
conformance check and `genzoo translate` run end to end; `toy-shift` samples 2-D points around a
vector condition (a `condition` DataSpec instead of class labels)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from genzoo import ArchitectureSpec, Capability, DataSpec, GenerativeModel, ModelConfig, hookimpl

genzoo_hook_api = 2


class InvertConfig(ModelConfig):
    source: DataSpec = DataSpec(shape=(1, 8, 8), value_range=(0.0, 1.0))
    data: DataSpec = DataSpec(shape=(1, 16, 16), value_range=(0.0, 1.0))
    noise: float = 0.05


class Invert(GenerativeModel):
    """Upsample, invert, add noise from the caller's generator, clamp to the data range."""

    config_class = InvertConfig
    capabilities = frozenset({Capability.TRANSLATE})
    default_sampler = None

    def __init__(self, config):
        super().__init__(config)
        self.gain = nn.Parameter(torch.ones(()))

    def translate(self, x, *, generator=None):
        up = F.interpolate(x, size=self.data_spec.shape[1:], mode="nearest")
        noise = torch.randn(up.shape, generator=generator, device=up.device, dtype=up.dtype)
        return (1 - self.gain * up + self.config.noise * noise).clamp(0, 1)


class ShiftConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    condition: DataSpec = DataSpec(shape=(2,), value_range=(-5.0, 5.0))


class Shift(GenerativeModel):
    """Points drawn from N(condition, scale^2 I)."""

    config_class = ShiftConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.CONDITIONAL})

    def __init__(self, config):
        super().__init__(config)
        self.scale = nn.Parameter(torch.full((), 0.1))

    def generate(self, n, *, condition=None, generator=None):
        return condition + self.scale * torch.randn(n, 2, generator=generator, device=self.scale.device)


@hookimpl
def genzoo_architectures():
    return [
        ArchitectureSpec(name="toy-invert", family="toy-translation", model="toy_translation:Invert",
                         capabilities=(Capability.TRANSLATE,), default_sampler=None,
                         description="Test translation model: 1 - x, upsampled."),
        ArchitectureSpec(name="toy-shift", family="toy-translation", model="toy_translation:Shift",
                         capabilities=(Capability.SAMPLE, Capability.CONDITIONAL), methods=("generate",),
                         description="Test model conditioned on a 2-D vector."),
    ]
