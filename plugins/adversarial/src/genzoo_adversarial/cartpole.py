"""gymnasium's CartPole-v1, a scripted expert for it, and episodes played by any batched policy.

GAIL's data are (state, action) pairs: a CartPole state is (cart position, cart velocity, pole angle,
pole angular velocity) and the action pushes the cart left (0) or right (1). An example here is the
pair as one vector of 5 numbers, the action last (0.0 or 1.0), which is also what the GAIL model
samples. The environment pays 1 per step until the pole falls past 12 degrees or the cart leaves
the track, and stops at 500 steps, so an episode's return is its length, at most 500.

Episodes are played in several environments side by side so that the policy network sees one
batch of states per time step instead of one state; every episode starts from `env.reset(seed=s)`
with s drawn from the caller's torch generator (None: torch's global one, which the trainer seeds
and restores on resume), so the same generator plays the same episodes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

ENVIRONMENT = "CartPole-v1"
STATE_DIM, ACTIONS = 4, 2
PAIR_DIM = STATE_DIM + 1  # (state, action) as one vector, the action last
MAX_RETURN = 500.0  # CartPole-v1's time limit; every step pays 1
SEED_LIMIT = 2**31 - 1
# The scripted expert pushes toward the side the pole is falling to: the sign of a weighted sum of the
# state. Angle and angular velocity alone balance the pole; the small position and velocity terms keep
# the cart near the middle of the track. It scores 500 on each of the reset seeds 0-999 (tests check three).
EXPERT_WEIGHTS = (0.1, 0.5, 1.0, 0.5)

Policy = Callable[[torch.Tensor], torch.Tensor]  # states (k, 4) float32 -> actions (k,) int64


def make_environment():
    """A fresh CartPole-v1 (gymnasium imported here, so importing this module stays cheap)."""
    import gymnasium

    return gymnasium.make(ENVIRONMENT)


def expert_actions(states: torch.Tensor) -> torch.Tensor:
    """The scripted expert: push right (1) when w . state > 0, else left (0)."""
    weights = torch.tensor(EXPERT_WEIGHTS, dtype=states.dtype, device=states.device)
    return (states @ weights > 0).long()


@dataclass
class Episode:
    """One episode: the seed it was reset with, the states it visited, the actions taken there, the states they
    led to, and whether it ended by failure (`terminated`: the pole fell or the cart left the track; no reward
    after) rather than by the time limit."""

    seed: int
    states: torch.Tensor       # (T, 4)
    actions: torch.Tensor      # (T,) int64
    next_states: torch.Tensor  # (T, 4); the last row is the state the episode ended in
    terminated: bool
    total_reward: float

    def __len__(self) -> int:
        return len(self.actions)

    def pairs(self) -> torch.Tensor:
        """(T, 5): each state with its action appended as a float."""
        return torch.cat([self.states, self.actions.unsqueeze(1).float()], dim=1)


def draw_seed(generator: torch.Generator | None) -> int:
    """An environment seed from the torch generator (None: torch's global generator), drawn on its device."""
    device = generator.device if generator is not None else None
    return int(torch.randint(SEED_LIMIT, (1,), generator=generator, device=device))


def distinct_seeds(generator: torch.Generator, count: int) -> list[int]:
    """`count` different environment seeds from the generator."""
    seeds: list[int] = []
    while len(seeds) < count:
        candidate = draw_seed(generator)
        if candidate not in seeds:
            seeds.append(candidate)
    return seeds


class _Slot:
    """One environment and the episode being played in it."""

    def __init__(self):
        self.environment = make_environment()
        self.state: np.ndarray | None = None
        self.seed = 0
        self.steps: list[tuple[np.ndarray, int, np.ndarray]] = []
        self.reward = 0.0

    def start(self, seed: int) -> None:
        self.state, _ = self.environment.reset(seed=seed)
        self.seed, self.steps, self.reward = seed, [], 0.0

    def step(self, action: int) -> Episode | None:
        """Take the action; the finished Episode when this step ended it, else None."""
        state = self.state
        self.state, reward, terminated, truncated, _ = self.environment.step(action)
        self.steps.append((state, action, self.state))
        self.reward += float(reward)
        if not (terminated or truncated):
            return None
        states, actions, next_states = zip(*self.steps)
        episode = Episode(self.seed, torch.from_numpy(np.stack(states)), torch.tensor(actions, dtype=torch.long),
                          torch.from_numpy(np.stack(next_states)), bool(terminated), self.reward)
        self.state = None
        return episode


def play(policy: Policy, seeds: Iterator[int], parallel: int) -> list[Episode]:
    """Play one episode per seed that `seeds` yields, `parallel` at a time, until it is exhausted.

    `seeds` is asked for the next seed whenever an environment is free, so it may decide from what was
    played so far whether to start another (see `play_at_least`). Episodes come back whole, in the order
    they finished.
    """
    slots = [_Slot() for _ in range(parallel)]
    finished: list[Episode] = []

    def refill(slot: _Slot) -> None:
        seed = next(seeds, None)
        if seed is not None:
            slot.start(seed)

    for slot in slots:
        refill(slot)
    while True:
        active = [slot for slot in slots if slot.state is not None]
        if not active:
            return finished
        states = torch.from_numpy(np.stack([slot.state for slot in active]))
        for slot, action in zip(active, policy(states).tolist(), strict=True):
            episode = slot.step(int(action))
            if episode is not None:
                finished.append(episode)
                refill(slot)


def play_seeds(policy: Policy, seeds: list[int], parallel: int = 8) -> list[Episode]:
    """One episode per given seed, returned in the order of the seeds."""
    position = {seed: index for index, seed in enumerate(seeds)}
    if len(position) != len(seeds):
        raise ValueError("play_seeds needs distinct seeds")
    return sorted(play(policy, iter(seeds), parallel), key=lambda episode: position[episode.seed])


def play_at_least(policy: Policy, steps: int, generator: torch.Generator | None, parallel: int) -> list[Episode]:
    """Whole episodes, seeds drawn from `generator`, until at least `steps` (state, action) pairs are collected.

    A free environment starts another episode while the pairs collected so far (finished episodes and the
    steps of those still running) fall short of `steps`; episodes already running are played to the end,
    so the result holds between `steps` and `steps + parallel * 500` pairs, all in whole episodes.
    """
    collected = [0]

    def counting(states: torch.Tensor) -> torch.Tensor:
        collected[0] += len(states)
        return policy(states)

    def seeds() -> Iterator[int]:
        while collected[0] < steps:
            yield draw_seed(generator)

    return play(counting, seeds(), parallel)
