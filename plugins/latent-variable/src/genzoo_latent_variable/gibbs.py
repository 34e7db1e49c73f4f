"""Block Gibbs sampling: the `gibbs` sampler and the noise its chains (and the RBM's) start from.

The sampler works on any model with a `gibbs(v, steps, generator=)` method (an RBM): it starts
chains from uniformly random visible states and runs them for `steps` sweeps.
"""

from __future__ import annotations

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo.plugin import Sampler, sample_bernoulli


def chains_from_noise(model, n: int, steps: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """`n` chains started from uniformly random visible states, after `steps` Gibbs sweeps of `model.gibbs`."""
    start = sample_bernoulli(torch.full((n, *model.data_spec.shape), 0.5, device=model.device), generator)
    return model.gibbs(start, steps, generator=generator)


class GibbsSampler(Sampler):
    """Chains from uniformly random visible states, `steps` block Gibbs sweeps each."""

    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid")

        steps: int = Field(1000, ge=1, description="Gibbs sweeps (hidden then visible) per chain.")

    def run(self, model, n, *, condition, generator, options):
        return chains_from_noise(model, n, options.steps, generator)
