"""GAIL's losses as small pure functions, each checked by hand in tests/test_gail.py.

The discriminator D(s, a) = sigmoid(l(s, a)) is the probability that a pair is the expert's; it is
trained with the GAN discriminator loss (`losses.discriminator_loss`: expert pairs as "real", the
policy's as "fake"). The policy is rewarded r(s, a) = -log(1 - D(s, a)) = softplus(l), large where
D mistakes its pairs for the expert's, and maximises it with PPO's clipped objective on
generalised advantage estimates (Schulman et al. 2016, 2017). The paper used TRPO; PPO's clipped
surrogate is the same trust-region idea with a first-order optimiser.

The reward is always positive, so on CartPole, where an episode ends when the pole falls, it also
pays the policy for merely surviving (Kostrikov et al. 2019 call this the survival bias of
-log(1 - D)); we report GAIL's returns with that caveat, beside behaviour cloning's on the same data.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from genzoo_adversarial.losses import discriminator_loss


def gail_discriminator_loss(expert_logits: torch.Tensor, policy_logits: torch.Tensor) -> torch.Tensor:
    """E_expert[-log D(s, a)] + E_policy[-log(1 - D(s, a))]: D tells expert pairs (1) from the policy's (0)."""
    return discriminator_loss(expert_logits, policy_logits)


def surrogate_reward(logits: torch.Tensor) -> torch.Tensor:
    """r(s, a) = -log(1 - D(s, a)) = softplus(l(s, a)), finite at any logit."""
    return F.softplus(logits)


def ppo_clipped_loss(log_probs: torch.Tensor, old_log_probs: torch.Tensor, advantages: torch.Tensor,
                     clip: float) -> torch.Tensor:
    """-E[min(rho A, clip(rho, 1 - eps, 1 + eps) A)], rho = pi(a | s) / pi_old(a | s) (Schulman et al. 2017)."""
    ratio = torch.exp(log_probs - old_log_probs)
    clipped = ratio.clamp(1 - clip, 1 + clip)
    return -torch.minimum(ratio * advantages, clipped * advantages).mean()


def generalized_advantages(rewards: torch.Tensor, values: torch.Tensor, next_values: torch.Tensor,
                           terminated: torch.Tensor, ends: torch.Tensor, gamma: float,
                           lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE(gamma, lambda) over whole episodes laid end to end, and the value targets A + V.

    delta_t = r_t + gamma (1 - terminated_t) V(s_{t+1}) - V(s_t);  A_t = delta_t + gamma lambda (1 - end_t) A_{t+1}.
    `next_values` is V of the state each step led to; `terminated` marks steps after which nothing more is
    earned (the pole fell: V(s_{t+1}) counts as 0), `ends` the last step of every episode (terminated or cut
    by the time limit, where V(s_{t+1}) still stands for the rewards the limit cut off).
    """
    deltas = rewards + gamma * (1 - terminated.float()) * next_values - values
    carry = (gamma * lam * (1 - ends.float())).tolist()
    advantages = deltas.tolist()
    for t in range(len(advantages) - 2, -1, -1):
        advantages[t] += carry[t] * advantages[t + 1]
    advantages = torch.tensor(advantages, dtype=values.dtype, device=values.device)
    return advantages, advantages + values
