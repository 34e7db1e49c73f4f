"""A small, working third-party family used by the core tests: one conditional model with an
encoder and an exact likelihood, so every branch of the conformance kit runs."""

from __future__ import annotations

import math

import torch
from torch import nn

from genzoo import ArchitectureSpec, Capability, DataSpec, GenerativeModel, ModelConfig, PretrainedSpec, hookimpl

genzoo_hook_api = 2


class ClassGaussianConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(1, 4, 4), kind="continuous", value_range=(0.0, 1.0), num_classes=3)
    std: float = 0.1


class ClassGaussian(GenerativeModel):
    """One isotropic Gaussian per class, clamped to the data range; encode = standardise."""

    config_class = ClassGaussianConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.CONDITIONAL, Capability.ENCODE, Capability.DECODE,
                              Capability.LOG_PROB})

    def __init__(self, config):
        super().__init__(config)
        self.means = nn.Parameter(torch.rand(config.data.num_classes, *config.data.shape))

    def _mean(self, condition, n):
        labels = torch.zeros(n, dtype=torch.long) if condition is None else condition
        return self.means[labels]

    def generate(self, n, *, condition=None, generator=None):
        noise = torch.randn(n, *self.data_spec.shape, generator=generator)
        return (self._mean(condition, n) + self.config.std * noise).clamp(0, 1)

    def log_prob(self, x, *, condition=None):
        z = (x - self._mean(condition, len(x))) / self.config.std
        return (-0.5 * z**2 - math.log(self.config.std) - 0.5 * math.log(2 * math.pi)).flatten(1).sum(1)

    def encode(self, x, *, condition=None):
        return ((x - self._mean(condition, len(x))) / self.config.std).flatten(1)

    def decode(self, z, *, condition=None):
        return self._mean(condition, len(z)) + self.config.std * z.reshape(len(z), *self.data_spec.shape)


@hookimpl
def genzoo_architectures():
    return [
        ArchitectureSpec(
            name="class-gaussian",
            family="toy",
            model="toy_family:ClassGaussian",
            capabilities=(Capability.SAMPLE, Capability.CONDITIONAL, Capability.ENCODE, Capability.DECODE, Capability.LOG_PROB),
            methods=("generate",),
            description="Test family model.",
        )
    ]


@hookimpl
def genzoo_pretrained():
    return [
        PretrainedSpec(
            name="class-gaussian-test",
            architecture="class-gaussian",
            repo_id="genzoo/class-gaussian-test",
            files={"config.json": "0" * 64},
            description="A card whose files are pinned to a wrong digest.",
        )
    ]
