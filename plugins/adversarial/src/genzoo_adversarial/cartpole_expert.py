"""`cartpole-expert`: (state, action) pairs of the scripted CartPole expert, subsampled as in the GAIL paper.

Ho & Ermon (2016) gave each imitation method a few expert trajectories and kept only every 20th
(state, action) pair of each, so that behaviour cloning has little data while GAIL, which also
plays the environment, can still match the expert's occupancy measure. Here the expert is the
scripted controller of `cartpole.py` (500, the maximum, on every seed), `episodes` trajectories are
played from seeds drawn from `seed`, and each keeps every `every`-th pair from a random offset in
[0, every). The defaults are the paper's smallest CartPole setting: 1 episode, every 20th pair, so
the training split has 25 pairs (`--set data.episodes=4` gives 100; the paper also used 4, 7 and
10). The test split plays other episodes (a disjoint seed stream) the same way.
"""

from __future__ import annotations

from typing import Annotated, Literal

import torch
from pydantic import Field, validate_call

from genzoo.plugin import DataSpec, TensorDataset

from genzoo_adversarial.cartpole import MAX_RETURN, PAIR_DIM, distinct_seeds, expert_actions, play_seeds

Split = Literal["train", "test"]
PAIRS = DataSpec(shape=(PAIR_DIM,), value_range=None)  # (x, x_dot, theta, theta_dot, action)
DEFAULT_EPISODES, DEFAULT_EVERY = 1, 20


def expert_episode_seeds(split: Split, episodes: int, seed: int) -> list[int]:
    """Distinct environment seeds of the expert's episodes; train and test come from disjoint streams of `seed`."""
    return distinct_seeds(torch.Generator().manual_seed(2 * seed + (split == "test")), episodes)


@validate_call
def cartpole_expert(split: Split = "train", *,
                    episodes: Annotated[int, Field(ge=1, le=1000)] = DEFAULT_EPISODES,
                    every: Annotated[int, Field(ge=1, le=int(MAX_RETURN))] = DEFAULT_EVERY,
                    seed: int = 0) -> TensorDataset:
    """Every `every`-th (state, action) pair of `episodes` expert episodes, as (n, 5) vectors, the action last."""
    generator = torch.Generator().manual_seed(2 * seed + (split == "test") + 1_000_003)  # the offsets' own stream
    chosen = []
    for episode in play_seeds(expert_actions, expert_episode_seeds(split, episodes, seed)):
        offset = int(torch.randint(every, (1,), generator=generator))
        chosen.append(episode.pairs()[offset::every])
    return TensorDataset(torch.cat(chosen), None, PAIRS, name="cartpole-expert", split=split)
