"""GAIL (Ho & Ermon 2016): a policy that imitates an expert by fooling a discriminator, on CartPole-v1.

The paper's task: imitate an expert's behaviour in a control task (CartPole among them, then MuJoCo
locomotion) from a few of the expert's trajectories, with no reward signal, by matching the
policy's occupancy measure (how often it visits each (state, action)) to the expert's. The
discriminator D(s, a) learns to tell the expert's pairs from the policy's; the policy is trained
by reinforcement learning on the reward -log(1 - D(s, a)) in the environment itself (see
`gail_losses.py` and `gail_training.py`). Our analogue is the paper's own CartPole experiment
with a scripted expert (`cartpole.py`) instead of a TRPO-trained one.

Three networks: a stochastic policy pi(a | s) (an MLP over CartPole's 2 actions), a value net V(s)
for the advantages, and the discriminator over (state, one-hot action). Behaviour cloning (the `bc`
trainer) trains the same policy by cross-entropy on the same expert pairs, so both load and are
measured the same way.

What "sampling" means for a policy: a sample is a (state, action) pair drawn from the policy's
occupancy measure, the distribution GAIL matches to the expert's data. The model plays whole
episodes from seeds drawn from the caller's generator, acting by its stochastic policy (or the
greedy action, `--set action=greedy`), until it holds at least n pairs, and returns n of them
chosen uniformly without replacement. Each is a 5-vector (cart position, cart velocity, pole
angle, angular velocity, action), like the `cartpole-expert` data.
"""

from __future__ import annotations

from itertools import pairwise

import torch
from pydantic import Field, field_validator
from torch import nn
from torch.nn import functional as F

from genzoo import Capability, GenerativeModel, ModelConfig
from genzoo.plugin import DataSpec

from genzoo_adversarial.cartpole import ACTIONS, STATE_DIM, play_at_least
from genzoo_adversarial.cartpole_expert import PAIRS

PARALLEL_ENVIRONMENTS = 8  # episodes played side by side when sampling


def mlp(inputs: int, hidden: tuple[int, ...], outputs: int) -> nn.Sequential:
    """Linear layers with tanh between them (the usual policy-gradient MLP)."""
    widths = (inputs, *hidden, outputs)
    layers: list[nn.Module] = []
    for index, (width_in, width_out) in enumerate(pairwise(widths)):
        layers.append(nn.Linear(width_in, width_out))
        if index < len(widths) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


def split_pairs(pairs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(n, 5) pairs -> states (n, 4) and integer actions (n,)."""
    return pairs[:, :STATE_DIM], pairs[:, STATE_DIM].round().long()


class GAILConfig(ModelConfig):
    """Widths of the three networks; the data are CartPole (state, action) pairs."""

    data: DataSpec = PAIRS
    policy_hidden: tuple[int, ...] = Field((64, 64), description="Policy MLP hidden widths (tanh).")
    value_hidden: tuple[int, ...] = Field((64, 64), description="Value MLP hidden widths (tanh).")
    discriminator_hidden: tuple[int, ...] = Field((64, 64), description="Discriminator MLP hidden widths (tanh).")

    @field_validator("data")
    @classmethod
    def _cartpole_pairs(cls, data: DataSpec) -> DataSpec:
        if data.shape != PAIRS.shape or data.dtype != "float32":
            raise ValueError(f"gail models CartPole (state, action) pairs shaped {PAIRS.shape} (train on "
                             f"cartpole-expert), got {data.shape} {data.dtype}")
        return data

    @field_validator("policy_hidden", "value_hidden", "discriminator_hidden")
    @classmethod
    def _positive(cls, widths: tuple[int, ...]) -> tuple[int, ...]:
        if any(width < 1 for width in widths):
            raise ValueError("hidden widths must be positive")
        return widths


class GAIL(GenerativeModel):
    """pi(a | s), V(s) and D(s, a) for CartPole; samples (state, action) pairs of the policy's own episodes."""

    config_class = GAILConfig
    capabilities = frozenset({Capability.SAMPLE})
    default_sampler = "policy-rollout"

    def __init__(self, config: GAILConfig):
        super().__init__(config)
        self.policy = mlp(STATE_DIM, config.policy_hidden, ACTIONS)
        self.value = mlp(STATE_DIM, config.value_hidden, 1)
        self.discriminator = mlp(STATE_DIM + ACTIONS, config.discriminator_hidden, 1)

    def _weights(self, states: torch.Tensor) -> torch.Tensor:
        return states.to(self.device, self.dtype)

    def action_logits(self, states: torch.Tensor) -> torch.Tensor:
        """log pi(. | s) up to a constant: (n, 2) float32."""
        return self.policy(self._weights(states)).float()

    def log_probs(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """log pi(a | s), (n,)."""
        return F.log_softmax(self.action_logits(states), dim=1).gather(1, actions.view(-1, 1)).squeeze(1)

    def values(self, states: torch.Tensor) -> torch.Tensor:
        """V(s), (n,)."""
        return self.value(self._weights(states)).float().squeeze(1)

    def discriminator_logits(self, states: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """l(s, a) with D(s, a) = sigmoid(l) the probability that the pair is the expert's, (n,)."""
        inputs = torch.cat([self._weights(states), F.one_hot(actions.to(self.device), ACTIONS).to(self.dtype)], dim=1)
        return self.discriminator(inputs).float().squeeze(1)

    @torch.no_grad()
    def act(self, states: torch.Tensor, *, greedy: bool = False,
            generator: torch.Generator | None = None) -> torch.Tensor:
        """Actions (n,) on the CPU: drawn from pi(. | s) with the generator (torch's global one when None), or the
        most probable action when greedy."""
        logits = self.action_logits(states)
        if greedy:
            return logits.argmax(dim=1).cpu()
        probabilities = logits.softmax(dim=1).to(generator.device if generator is not None else "cpu")
        return torch.multinomial(probabilities, 1, generator=generator).squeeze(1).cpu()

    @torch.no_grad()
    def rollout_pairs(self, n: int, *, greedy: bool = False, generator: torch.Generator | None = None) -> torch.Tensor:
        """n (state, action) pairs of the policy's occupancy measure (see the module docstring), (n, 5) float32."""
        episodes = play_at_least(lambda states: self.act(states, greedy=greedy, generator=generator), n, generator,
                                 PARALLEL_ENVIRONMENTS)
        pairs = torch.cat([episode.pairs() for episode in episodes])
        device = generator.device if generator is not None else "cpu"
        chosen = torch.randperm(len(pairs), generator=generator, device=device)[:n].cpu()
        return pairs[chosen].to(self.device)
