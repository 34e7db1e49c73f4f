"""`episode-return`: a policy's mean CartPole-v1 return over n episodes, beside the scripted expert's.

Both play the same n episodes (the same reset seeds, drawn from --seed), the model acting as
`--set action=sampled|greedy` says (the `policy-rollout` sampler's option; sampled by default,
with actions drawn from a generator seeded by --seed). The return is the episode's length, at
most 500. Results: episode-return (the mean), episode-return-std, expert-episode-return and
expert-episode-return-std.
"""

from __future__ import annotations

from functools import partial

import torch
from pydantic import ValidationError

from genzoo.plugin import ConfigError, EvalRequest, require_model

from genzoo_adversarial.cartpole import distinct_seeds, expert_actions, play_seeds
from genzoo_adversarial.gail_sampler import SAMPLER, RolloutOptions

DEFAULT_EPISODES = 100
ENVIRONMENT_SPLIT = "environment"  # results come from episodes played now, not from a split of the dataset
SEED_STREAM = 7_777_777  # evaluation seeds come from their own stream, apart from the dataset's


def evaluation_seeds(seed: int, episodes: int) -> list[int]:
    """The reset seeds of the n evaluation episodes for --seed `seed`."""
    return distinct_seeds(torch.Generator().manual_seed(SEED_STREAM + seed), episodes)


def policy_returns(model, seeds: list[int], greedy: bool, generator: torch.Generator) -> torch.Tensor:
    """The model's return on each seed's episode (actions drawn from `generator` unless greedy)."""
    episodes = play_seeds(lambda states: model.act(states, greedy=greedy, generator=generator), seeds)
    return torch.tensor([episode.total_reward for episode in episodes])


def expert_returns(seeds: list[int]) -> torch.Tensor:
    """The scripted expert's return on each seed's episode."""
    return torch.tensor([episode.total_reward for episode in play_seeds(expert_actions, seeds)])


def rollout_options(model, request: EvalRequest) -> RolloutOptions:
    """How the policy acts: the request's (or the card's) `policy-rollout` options."""
    sampler, options = model.sampling_plan(request.sampler, request.sampler_options)
    if sampler != SAMPLER:
        raise ConfigError(f"episode-return plays the policy itself: drop --sampler {sampler} (its options are "
                          f"{SAMPLER!r}'s, --set action=sampled|greedy)")
    try:
        return RolloutOptions.model_validate(options)
    except ValidationError as error:
        first = error.errors()[0]
        raise ConfigError(f"episode-return: bad option {'.'.join(map(str, first['loc']))}: {first['msg']} (options: "
                          "action=sampled|greedy)") from None


def episode_return_metric(model, request: EvalRequest):
    """Mean +- std return of the model's policy and of the scripted expert on the same n seeded episodes."""
    model = require_model(model, "episode-return")
    if not callable(getattr(model, "act", None)):
        raise ConfigError(f"episode-return needs a CartPole policy (a gail model), not {model.name!r}")
    options = rollout_options(model, request)
    n = request.n or DEFAULT_EPISODES
    seeds = evaluation_seeds(request.seed, n)
    generator = torch.Generator().manual_seed(request.seed)
    returns = policy_returns(model, seeds, options.action == "greedy", generator)
    expert = expert_returns(seeds)
    result = partial(request.result, split=ENVIRONMENT_SPLIT)
    where = f"CartPole-v1, {n} episodes (reset seeds from --seed {request.seed})"
    spread = f"min {returns.min():.0f}, max {returns.max():.0f}, {int((returns == 500).sum())} of {n} at 500"
    return [
        result("episode-return", returns.mean(), notes=f"{options.action} actions, {where}; {spread}"),
        result("episode-return-std", returns.std(unbiased=False), notes=f"{options.action} actions, {where}"),
        result("expert-episode-return", expert.mean(), notes=f"scripted expert, same {n} episodes"),
        result("expert-episode-return-std", expert.std(unbiased=False), notes=f"scripted expert, same {n} "
                                                                                         "episodes"),
    ]
