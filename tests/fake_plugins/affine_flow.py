"""A tiny 2-D affine flow, x = exp(s) * z + b with z ~ N(0, I), twice: once with the correct
log-determinant and once with its sign flipped, so the kit's normalisation check has a model it
must pass and one it must fail."""

from __future__ import annotations

import math

import torch
from torch import nn

from genzoo import ArchitectureSpec, Capability, DataSpec, GenerativeModel, ModelConfig, hookimpl

genzoo_hook_api = 2


class AffineFlowConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    log_scale: float = math.log(2.0)  # a scale far from 1, so a wrong log-det changes the mass a lot


class AffineFlow(GenerativeModel):
    config_class = AffineFlowConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})
    log_det_sign = 1.0  # log p(x) = log N(z) - sum(s): the change of variables

    def __init__(self, config):
        super().__init__(config)
        self.log_scale = nn.Parameter(torch.full((2,), config.log_scale))
        self.shift = nn.Parameter(torch.tensor([0.5, -1.0]))

    def generate(self, n, *, condition=None, generator=None):
        z = torch.randn(n, 2, generator=generator)
        return z * self.log_scale.exp() + self.shift

    def log_prob(self, x, *, condition=None):
        z = (x - self.shift) / self.log_scale.exp()
        base = (-0.5 * z**2 - 0.5 * math.log(2 * math.pi)).sum(1)
        return base - self.log_det_sign * self.log_scale.sum()


class FlippedAffineFlow(AffineFlow):
    log_det_sign = -1.0  # the bug: + sum(s), which integrates to exp(2 * sum(s)) = 16


@hookimpl
def genzoo_architectures():
    common = {"family": "flow-test", "capabilities": (Capability.SAMPLE, Capability.LOG_PROB), "methods": ("generate",)}
    return [
        ArchitectureSpec(name="affine-flow", model="affine_flow:AffineFlow", **common),
        ArchitectureSpec(name="affine-flow-flipped", model="affine_flow:FlippedAffineFlow", **common),
    ]
