"""Every adversarial loss of the family as a small pure function of discriminator outputs.

The discriminator returns logits `l` (D(x) = sigmoid(l)) or, for Wasserstein critics, unbounded
scores. The log-probabilities are written with softplus, never as log(sigmoid(.)), so that a
confident discriminator gives a large finite loss instead of log(0) in float32:
  -log D(x)      = -log sigmoid(l)     = softplus(-l)
  -log(1 - D(x)) = -log sigmoid(-l)    = softplus(l)
Reference GAN code is full of silent mistakes in exactly these lines (PyTorch-GAN #5: WGAN-GP's
interpolation weight drawn per pixel), so each function is checked against a hand computation in
tests/test_losses.py.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn import functional as F

from genzoo_adversarial.noise import uniform

# Added under the square root of the squared gradient norm: the norm's gradient at an exactly zero
# gradient would otherwise be 0/0 (a flat critic at initialisation gives one).
NORM_FLOOR = 1e-12


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Goodfellow et al. 2014: J_D = E[-log D(x)] + E[-log(1 - D(G(z)))]."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def minimax_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """The generator's side of the minimax game: J_G = E[log(1 - D(G(z)))] = -J_D's fake term.

    Its gradient vanishes where D confidently rejects the fakes (early in training), which is why the
    paper proposes the non-saturating loss below; it is kept to show that failure.
    """
    return -F.softplus(fake_logits).mean()


def non_saturating_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """Goodfellow et al.'s practical generator loss: J_G = E[-log D(G(z))] (same fixed point, strong early
    gradients)."""
    return F.softplus(-fake_logits).mean()


def absolute_error(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean |x - y| over every element (L1): pix2pix's L1 term, CycleGAN's cycle and identity losses, SRGAN's
    pixel loss."""
    return (x - y).abs().mean()


def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """WGAN critic (Arjovsky et al. 2017): minimise E[f(G(z))] - E[f(x)], i.e. maximise the Wasserstein estimate."""
    return fake_scores.mean() - real_scores.mean()


def critic_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """WGAN generator: J_G = -E[f(G(z))]."""
    return -fake_scores.mean()


def interpolate(real: torch.Tensor, fake: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Points x^ = x + eps (G(z) - x) on the segments between real and fake examples, eps ~ U[0, 1]
    drawn ONCE PER EXAMPLE (Gulrajani et al. 2017, Algorithm 1), shared by all of its pixels.

    Drawing eps per pixel (PyTorch-GAN issue #5) puts x^ off the segment, where the 1-Lipschitz
    constraint the penalty enforces is not the one the WGAN argument needs. Both inputs are detached.
    """
    eps = uniform((len(real),) + (1,) * (real.dim() - 1), generator, real.device, real.dtype)
    return real.detach() + eps * (fake.detach() - real.detach())


def gradient_penalty(critic: Callable[[torch.Tensor], torch.Tensor], points: torch.Tensor) -> torch.Tensor:
    """WGAN-GP's two-sided penalty E[(||grad_x f(x^)|| - 1)^2] at `points` (from `interpolate`).

    The norm is taken per critic output: over one example's values, or over a whole pack's when the
    critic scores `pack` consecutive examples together (PacGAN), since that is the critic's input.
    The graph is kept (create_graph) so the penalty trains the critic.
    """
    norms = (squared_input_gradient_norms(critic, points) + NORM_FLOOR).sqrt()
    return (norms - 1).square().mean()


def r1_penalty(discriminate: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor) -> torch.Tensor:
    """R1 (Mescheder et al. 2018): E||grad_x D(x)||^2 over real examples (per discriminator output), with the graph
    kept so that it trains the discriminator."""
    return squared_input_gradient_norms(discriminate, real).mean()


def squared_input_gradient_norms(critic: Callable[[torch.Tensor], torch.Tensor], points: torch.Tensor) -> torch.Tensor:
    """||grad_x f(x)||^2 per critic output at `points` (detached here), the graph kept (create_graph) so that a
    penalty on it trains the critic: what WGAN-GP's penalty and R1 are made of."""
    points = points.detach().requires_grad_(True)
    scores = critic(points)
    (grads,) = torch.autograd.grad(scores.sum(), points, create_graph=True)
    return grads.reshape(len(scores), -1).square().sum(dim=1)
