"""The losses of unpaired translation (CycleGAN, DiscoGAN) as small pure functions, each hand-checked in
tests/test_cycle_losses.py.

CycleGAN (Zhu et al. 2017) replaces the log-loss game with least squares (LSGAN, Mao et al. 2017:
real -> 1, fake -> 0; the generator pulls its fakes' scores to 1), which its authors found more stable,
and halves the discriminator's loss so that D learns at half the generator's rate. The cycle and
identity terms are mean absolute errors; DiscoGAN (Kim et al. 2017) uses the squared error for its
reconstruction term. The log-loss game DiscoGAN plays is losses.discriminator_loss /
non_saturating_generator_loss.
"""

from __future__ import annotations

import torch

from genzoo_adversarial.losses import absolute_error  # noqa: F401  (the cycle and identity losses)


def least_squares_discriminator_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """CycleGAN's D loss: 0.5 * (E[(D(x) - 1)^2] + E[D(G(a))^2]), means over every patch score."""
    return 0.5 * ((real_scores - 1).pow(2).mean() + fake_scores.pow(2).mean())


def least_squares_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """CycleGAN's adversarial G loss: E[(D(G(a)) - 1)^2]."""
    return (fake_scores - 1).pow(2).mean()



def squared_error(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean (x - y)^2 over every element: DiscoGAN's reconstruction loss."""
    return (x - y).pow(2).mean()
