"""GAIL's training step (discriminator + PPO in the environment) and behaviour cloning, on core's loop.

One training step of `gail` is one GAIL iteration (Ho & Ermon 2016, Algorithm 1):

1. its first discriminator update plays the current policy (sampling its actions) in CartPole-v1
   until at least `rollout_steps` pairs are collected, in whole episodes, and keeps them in the step
   state (checkpointed, so a resumed run continues exactly);
2. `discriminator_updates` updates of D: the batch's expert pairs against as many of the rollout's
   pairs, drawn at random (`gail_losses.gail_discriminator_loss`);
3. `ppo_epochs` x `minibatches` policy updates: the first labels the rollout with the reward
   -log(1 - D(s, a)) of the updated D and computes GAE advantages and value targets with the value
   net; each update then takes one minibatch of the epoch's shuffled rollout and minimises PPO's
   clipped loss + value_weight x the value net's squared error - entropy_weight x the policy entropy.

Policy updates get a batch of expert pairs from the loop like every update, and ignore it. Every
random draw (episode seeds, actions, minibatches) comes from torch's global generator, which the
trainer seeds and restores on resume. The environment's own reward is never used for training; the
rollout's mean episode return is logged (`discriminator/episode_return`) to watch progress.

Core's log sums each key over the updates of a step, so per-iteration diagnostics are returned by one
update per step only; `policy/loss` is the sum over the step's policy updates.

`bc` trains the same policy by cross-entropy on the expert pairs alone, never touching the
environment: behaviour cloning, the baseline the paper compares against.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any, ClassVar

import torch
from pydantic import Field
from torch import nn
from torch.nn import functional as F

from genzoo.plugin import Batch, TrainingStep

from genzoo_adversarial.cartpole import play_at_least
from genzoo_adversarial.gail import GAIL, split_pairs
from genzoo_adversarial.gail_losses import (generalized_advantages, gail_discriminator_loss, ppo_clipped_loss,
                                            surrogate_reward)

DISCRIMINATOR, POLICY = "discriminator", "policy"
Losses = dict[str, torch.Tensor]
StepState = dict[str, torch.Tensor]
ROLLOUT_KEYS = ("states", "actions", "next_states", "terminated", "ends", "old_log_probs")


class GAILStep(TrainingStep):
    """Discriminator updates on expert vs policy pairs, then PPO on the surrogate reward (see the module docstring)."""

    groups: ClassVar[tuple[str, ...]] = (DISCRIMINATOR, POLICY)
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = {DISCRIMINATOR: {"lr": 3e-4, "ema": False},
                                                           POLICY: {"lr": 3e-4}}

    rollout_steps: int = Field(1000, ge=1, le=1_000_000, description="Pairs played per iteration (whole episodes, at "
                                                                     "least this many).")
    parallel_environments: int = Field(4, ge=1, le=256, description="Episodes played side by side.")
    discriminator_updates: int = Field(1, ge=1, description="D updates per iteration.")
    ppo_epochs: int = Field(10, ge=1, description="Passes of PPO over each rollout.")
    minibatches: int = Field(4, ge=1, description="Minibatches per PPO pass (each a policy update).")
    clip: float = Field(0.2, gt=0, lt=1, description="PPO's clipping range epsilon.")
    gamma: float = Field(0.99, gt=0, le=1, description="Discount factor.")
    lam: float = Field(0.95, ge=0, le=1, description="GAE's lambda.")
    value_weight: float = Field(0.5, ge=0, description="Weight of the value net's squared error.")
    entropy_weight: float = Field(0.0, ge=0, description="Weight of the policy-entropy bonus.")

    def parameters(self, model: GAIL, group: str) -> Iterable[nn.Parameter]:
        if group == DISCRIMINATOR:
            return model.discriminator.parameters()
        return chain(model.policy.parameters(), model.value.parameters())

    def updates(self, step: int) -> Sequence[str]:
        return (DISCRIMINATOR,) * self.discriminator_updates + (POLICY,) * (self.ppo_epochs * self.minibatches)

    def init_state(self, model: GAIL) -> StepState:
        never = torch.tensor(-1, device=model.device)
        return {"rollout_step": never.clone(), "advantage_step": never.clone(),
                "policy_update": torch.tensor(0, device=model.device)}

    def loss(self, model: GAIL, batch: Batch, group: str, state: StepState) -> Losses:
        if group == DISCRIMINATOR:
            return self.discriminator_loss(model, batch, state)
        return self.policy_loss(model, batch, state)

    # -- 1. the rollout ------------------------------------------------------------------------------
    def rollout(self, model: GAIL, state: StepState) -> float:
        """Play the policy, keep its pairs in `state`; returns the mean environment return of its episodes."""
        episodes = play_at_least(model.act, self.rollout_steps, None, self.parallel_environments)
        ends = [torch.zeros(len(episode)) for episode in episodes]
        terminated = [torch.zeros(len(episode)) for episode in episodes]
        for episode, end, fell in zip(episodes, ends, terminated, strict=True):
            end[-1] = 1.0
            fell[-1] = float(episode.terminated)
        states = torch.cat([episode.states for episode in episodes])
        actions = torch.cat([episode.actions for episode in episodes])
        with torch.no_grad():
            old_log_probs = model.log_probs(states, actions.to(model.device))
        values = (states, actions, torch.cat([episode.next_states for episode in episodes]), torch.cat(terminated),
                  torch.cat(ends), old_log_probs)
        state.update({key: value.to(model.device) for key, value in zip(ROLLOUT_KEYS, values, strict=True)})
        return sum(episode.total_reward for episode in episodes) / len(episodes)

    # -- 2. the discriminator ------------------------------------------------------------------------
    def discriminator_loss(self, model: GAIL, batch: Batch, state: StepState) -> Losses:
        diagnostics: Losses = {}
        if int(state["rollout_step"]) != batch.step:
            episode_return = self.rollout(model, state)
            state["rollout_step"].fill_(batch.step)
            diagnostics["episode_return"] = torch.tensor(episode_return, device=model.device)
        expert_states, expert_actions = split_pairs(batch.x)
        chosen = torch.randperm(len(state["actions"]), device=model.device)[:len(expert_actions)]
        expert_logits = model.discriminator_logits(expert_states, expert_actions)
        policy_logits = model.discriminator_logits(state["states"][chosen], state["actions"][chosen])
        loss = gail_discriminator_loss(expert_logits, policy_logits)
        if diagnostics:  # once per step: core's log sums each key over a step's updates
            diagnostics["expert_accuracy"] = (expert_logits > 0).float().mean().detach()
            diagnostics["policy_accuracy"] = (policy_logits < 0).float().mean().detach()
        return {"loss": loss, **diagnostics}

    # -- 3. PPO --------------------------------------------------------------------------------------
    def label_rollout(self, model: GAIL, state: StepState) -> torch.Tensor:
        """Rewards from the updated D, GAE advantages (normalised) and value targets, and each epoch's
        minibatch order, into `state`; returns the mean reward."""
        with torch.no_grad():
            rewards = surrogate_reward(model.discriminator_logits(state["states"], state["actions"]))
            advantages, returns = generalized_advantages(
                rewards, model.values(state["states"]), model.values(state["next_states"]), state["terminated"],
                state["ends"], self.gamma, self.lam)
        state["advantages"] = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        state["returns"] = returns
        size = len(state["actions"])
        state["order"] = torch.stack([torch.randperm(size, device=model.device) for _ in range(self.ppo_epochs)])
        state["policy_update"].zero_()
        return rewards.mean()

    def policy_loss(self, model: GAIL, batch: Batch, state: StepState) -> Losses:
        diagnostics: Losses = {}
        if int(state["advantage_step"]) != batch.step:
            diagnostics["reward"] = self.label_rollout(model, state)
            state["advantage_step"].fill_(batch.step)
        update = int(state["policy_update"])
        state["policy_update"] += 1
        epoch, part = divmod(update, self.minibatches)
        index = torch.tensor_split(state["order"][epoch], self.minibatches)[part]
        states, actions = state["states"][index], state["actions"][index]
        logits = model.action_logits(states)
        log_probs = F.log_softmax(logits, dim=1).gather(1, actions.view(-1, 1)).squeeze(1)
        entropy = -(logits.softmax(dim=1) * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
        surrogate = ppo_clipped_loss(log_probs, state["old_log_probs"][index], state["advantages"][index], self.clip)
        value_error = F.mse_loss(model.values(states), state["returns"][index])
        loss = surrogate + self.value_weight * value_error - self.entropy_weight * entropy
        if diagnostics:
            diagnostics["entropy"] = entropy.detach()
            diagnostics["value_error"] = value_error.detach()
        return {"loss": loss, **diagnostics}


class BehaviourCloningStep(TrainingStep):
    """Behaviour cloning: the policy alone, by cross-entropy -log pi(a_expert | s_expert) on the expert pairs."""

    groups: ClassVar[tuple[str, ...]] = (POLICY,)

    def parameters(self, model: GAIL, group: str) -> Iterable[nn.Parameter]:
        return model.policy.parameters()

    def loss(self, model: GAIL, batch: Batch, group: str, state: StepState) -> Losses:
        states, actions = split_pairs(batch.x)
        logits = model.action_logits(states)
        return {"loss": F.cross_entropy(logits, actions.to(logits.device)),
                "accuracy": (logits.argmax(dim=1) == actions.to(logits.device)).float().mean().detach()}
