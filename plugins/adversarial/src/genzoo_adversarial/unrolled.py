"""Unrolled GAN (Metz et al. 2017): the generator plays against the discriminator k updates ahead.

The generator's loss is the non-saturating loss against D with parameters theta_k, where
theta_{i+1} = theta_i - lr * grad J_D(theta_i; x, G(z)) are k differentiable SGD steps on the
discriminator's loss. Because theta_k depends on G(z), the generator's gradient includes how the
discriminator would react to it, which discourages collapsing onto the modes D currently likes.
The unrolled copies live in `torch.func.functional_call` only: the discriminator itself takes its
ordinary update (the GAN step's). k = 0 is the plain non-saturating GAN. Each unrolled step reuses
the update's real batch and fakes (one batch per update is what the trainer hands out).
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch.func import functional_call

from genzoo.plugin import Batch

from genzoo_adversarial.gan import GAN, GANConfig, GANStep
from genzoo_adversarial.losses import discriminator_loss, non_saturating_generator_loss


class UnrolledGANConfig(GANConfig):
    """The GAN's networks (MLPs for the 2-D toys by default)."""


class UnrolledGAN(GAN):
    """A GAN trained with an unrolled discriminator (see the module docstring)."""

    config_class = UnrolledGANConfig


def discriminator_logits_with(model, values: dict[str, torch.Tensor], x: torch.Tensor,
                              condition: torch.Tensor | None) -> torch.Tensor:
    """The realness logits of D run with the given parameters and buffers instead of its own."""
    return functional_call(model.discriminator, values, (x, model.label(condition)))[:, 0]


def unrolled_parameters(model, real: torch.Tensor, fake: torch.Tensor, condition: torch.Tensor | None, steps: int,
                        lr: float) -> dict[str, torch.Tensor]:
    """The discriminator's parameters (and buffers) after `steps` differentiable SGD steps on J_D, with a graph
    back to `fake`. Buffers (batch-norm statistics) are cloned so that the look-ahead never changes the real ones.
    """
    params = dict(model.discriminator.named_parameters())
    buffers = {name: buffer.clone() for name, buffer in model.discriminator.named_buffers()}
    for _ in range(steps):
        values = params | buffers
        loss = discriminator_loss(discriminator_logits_with(model, values, real, condition),
                                  discriminator_logits_with(model, values, fake, condition))
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
        params = {name: value - lr * grad for (name, value), grad in zip(params.items(), grads, strict=True)}
    return params | buffers


class UnrolledGANStep(GANStep):
    """The GAN step whose generator loss looks `unroll_steps` discriminator updates ahead."""

    generator_update_needs_discriminator_weights = True  # the unrolled steps differentiate them

    unroll_steps: int = Field(5, ge=0, description="k, the discriminator updates unrolled in the generator's loss.")
    unroll_lr: float = Field(1e-2, gt=0, description="Learning rate of the unrolled SGD steps.")

    def generator_loss(self, model, batch: Batch, state) -> dict[str, torch.Tensor]:
        condition = self.condition(model, batch)
        fake = self.generator_fakes(model, batch, state).x
        ahead = unrolled_parameters(model, batch.x, fake, condition, self.unroll_steps, self.unroll_lr)
        return {"loss": non_saturating_generator_loss(discriminator_logits_with(model, ahead, fake, condition))}
