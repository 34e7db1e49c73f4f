"""The `policy-rollout` sampler: (state, action) pairs of a policy's own CartPole episodes.

Its option `action` says how the policy acts while playing: `sampled` (from pi(a | s), the
stochastic policy GAIL trains, the default) or `greedy` (its most probable action). The
`episode-return` metric reads the same option, so a return and the pairs `genzoo sample` draws
come from the same behaviour.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from genzoo import Sampler

SAMPLER = "policy-rollout"


class RolloutOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["sampled", "greedy"] = Field("sampled", description="sampled: a ~ pi(. | s); greedy: argmax_a "
                                                                        "pi(a | s).")


class PolicyRolloutSampler(Sampler):
    """n pairs chosen uniformly from whole episodes the policy plays (see `gail.GAIL.rollout_pairs`)."""

    Options = RolloutOptions

    def run(self, model, n, *, condition, generator, options):
        return model.rollout_pairs(n, greedy=options.action == "greedy", generator=generator)
