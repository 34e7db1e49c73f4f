"""Mistake 1: a 1-D affine flow whose log-determinant has the wrong sign (plugin and model in one file)."""

import math

import torch
from torch import nn

from genzoo import ArchitectureSpec, Capability, DataSpec, GenerativeModel, ModelConfig, hookimpl

genzoo_hook_api = 2


class FlowConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(1,), value_range=None)


class FlippedFlow(GenerativeModel):
    """x = 3 z + 1; log p(x) should subtract log 3 and adds it instead, so exp(log p) integrates to 9."""

    config_class = FlowConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.LOG_PROB})

    def __init__(self, config):
        super().__init__(config)
        self.log_scale = nn.Parameter(torch.tensor([math.log(3.0)]))

    def generate(self, n, *, condition=None, generator=None):
        return torch.randn(n, 1, generator=generator) * self.log_scale.exp() + 1

    def log_prob(self, x, *, condition=None):
        z = (x - 1) / self.log_scale.exp()
        return (-0.5 * z**2 - 0.5 * math.log(2 * math.pi) + self.log_scale).sum(1)


@hookimpl
def genzoo_architectures():
    return [ArchitectureSpec(name="faulty-flow-flipped", family="faulty-flow", model="genzoo_faulty.flow:FlippedFlow",
                             capabilities=(Capability.SAMPLE, Capability.LOG_PROB), methods=("generate",))]
