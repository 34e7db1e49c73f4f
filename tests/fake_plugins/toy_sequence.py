"""Tiny models of the completion and text interfaces for the core tests: `toy-complete` draws binary
pixels and keeps the first `prefix_length` of a `prefix` (capability `complete`, through its own
`toy-prefix` sampler); `toy-text` draws 6 letters of "abc" and has `decode_text` / `encode_text`, so
`genzoo sample` prints it and takes a text prefix."""

from __future__ import annotations

from typing import Any

import torch
from pydantic import BaseModel, ConfigDict
from torch import nn

from genzoo import ArchitectureSpec, Capability, DataSpec, GenerativeModel, ModelConfig, SamplerSpec, hookimpl
from genzoo.plugin import CapabilityError, Sampler

genzoo_hook_api = 2
CAPABILITIES = frozenset({Capability.SAMPLE, Capability.COMPLETE})
LETTERS = "abc"


class CompleteConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(1, 4, 4), kind="binary", value_range=(0.0, 1.0), levels=2)


class Complete(GenerativeModel):
    """Every value uniform over the levels, except the observed prefix (flattened order)."""

    config_class = CompleteConfig
    capabilities = CAPABILITIES
    default_sampler = "toy-prefix"

    def __init__(self, config):
        super().__init__(config)
        self.unused = nn.Parameter(torch.zeros(()))

    def complete(self, n, prefix, prefix_length, generator):
        spec = self.data_spec
        levels = 2 if spec.kind == "binary" else spec.levels
        flat = torch.randint(levels, (n, spec.dim), generator=generator).to(self.unused.device)
        if prefix is not None:
            prefix = torch.as_tensor(prefix).reshape(n, -1)
            k = prefix.shape[1] // 2 if prefix_length is None else prefix_length
            if k > spec.dim:
                raise CapabilityError(f"prefix_length={k} is longer than the {spec.dim} elements")
            flat[:, :k] = prefix[:, :k].long() if spec.dtype == "int64" else prefix[:, :k].round().long()
        values = flat if spec.dtype == "int64" else flat.float()
        return values.reshape(n, *spec.shape)


class TextConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(6,), kind="discrete", dtype="int64", value_range=(0, 2), levels=3)


class Text(Complete):
    config_class = TextConfig

    def decode_text(self, samples):
        return ["".join(LETTERS[i] for i in row.tolist()) for row in samples]

    def encode_text(self, text):
        if set(text) - set(LETTERS):
            raise CapabilityError(f"{self.name!r} knows only the letters {LETTERS!r}")
        return torch.tensor([LETTERS.index(c) for c in text])


class PrefixOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    prefix: Any = None
    prefix_length: int | None = None


class PrefixSampler(Sampler):
    Options = PrefixOptions

    def run(self, model, n, *, condition, generator, options):
        prefix = options.prefix
        if prefix is not None and torch.as_tensor(prefix).dim() == 1:  # text: the whole prefix is observed
            prefix = torch.as_tensor(prefix).expand(n, -1)
            return model.complete(n, prefix, prefix.shape[1], generator)
        return model.complete(n, prefix, options.prefix_length, generator)


@hookimpl
def genzoo_architectures():
    spec = {"family": "toy-sequence", "capabilities": tuple(CAPABILITIES), "default_sampler": "toy-prefix",
            "methods": ("complete",)}
    return [ArchitectureSpec(name="toy-complete", model="toy_sequence:Complete", **spec),
            ArchitectureSpec(name="toy-text", model="toy_sequence:Text", **spec)]


@hookimpl
def genzoo_samplers():
    return [SamplerSpec(name="toy-prefix", target="toy_sequence:PrefixSampler",
                        requires=(Capability.SAMPLE, Capability.COMPLETE), methods=("complete",))]
