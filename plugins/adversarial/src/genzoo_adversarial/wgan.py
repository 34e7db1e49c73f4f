"""Wasserstein GANs: a critic f scores data, the generator minimises E[f(x)] - E[f(G(z))].

The estimate is a Wasserstein-1 distance only when f is 1-Lipschitz, which each trainer enforces
its own way:
- `clip` (Arjovsky et al. 2017): every critic weight clamped to [-c, c] after each critic update,
  n_critic = 5, a momentum-free optimiser with lr 5e-5. (The paper's RMSProp is not among the
  trainer's optimisers; Adam with beta1 = 0 is RMSProp with bias correction.)
- `gp` (Gulrajani et al. 2017): the penalty lambda E[(||grad f(x^)|| - 1)^2] at points x^ between real
  and fake examples, the weight drawn per example; Adam 1e-4, betas (0, 0.9), n_critic = 5, lambda = 10.
Both run on any model of the family; `wgan-gp` differs from `wgan` only in its default trainer and
in refusing a batch-normalised critic (the penalty is per example, batch norm mixes examples).
`--set model.spectral_norm=true` gives spectral normalisation (SNGAN, Miyato et al. 2018) instead.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from pydantic import Field, model_validator

from genzoo.plugin import Batch, ConfigError

from genzoo_adversarial.base import (
    DISCRIMINATOR,
    AdversarialConfig,
    AdversarialModel,
    AdversarialStep,
    optimizer_defaults,
)
from genzoo_adversarial.losses import critic_generator_loss, critic_loss, gradient_penalty, interpolate


class WGANConfig(AdversarialConfig):
    """The critic is the family's discriminator network with a score instead of a logit."""


class WGAN(AdversarialModel):
    """A generator against a Lipschitz critic (see the module docstring)."""

    config_class = WGANConfig


class WGANGPConfig(WGANConfig):
    @model_validator(mode="after")
    def _no_batch_norm_in_the_critic(self):
        if self.discriminator_batch_norm:
            raise ValueError("a gradient-penalty critic must not use batch norm (the penalty is per example); "
                             "set discriminator_batch_norm=false")
        return self


class WGANGP(WGAN):
    """WGAN trained with the gradient penalty by default."""

    config_class = WGANGPConfig


class CriticStep(AdversarialStep):
    """What both WGAN trainers share: the critic and generator losses."""

    n_critic: int = Field(5, ge=1, description="Critic updates per generator update.")

    def critic_terms(self, model, batch: Batch, state) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """The logged terms and the fakes of one critic update."""
        fake = self.discriminator_fakes(model, batch, state)
        loss = critic_loss(model.discriminate(batch.x, self.condition(model, batch)),
                           model.discriminate(fake.x, fake.condition))
        return {"loss": loss, "wasserstein": -loss.detach()}, fake.x

    def generator_loss(self, model, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.generator_fakes(model, batch, state)
        scores = model.discriminate(fake.x, fake.condition)
        return {"loss": critic_generator_loss(scores)}


class ClippedWGANStep(CriticStep):
    """Arjovsky et al.'s WGAN: critic weights clipped to [-clip, clip] after every critic update."""

    group_defaults: ClassVar[dict[str, dict[str, Any]]] = optimizer_defaults(5e-5, (0.0, 0.999))

    clip: float = Field(0.01, gt=0, description="Critic weights are clamped to [-clip, clip].")

    def discriminator_loss(self, model, batch: Batch, state) -> dict[str, torch.Tensor]:
        return self.critic_terms(model, batch, state)[0]

    def after_update(self, model, group: str, state) -> None:
        if group == DISCRIMINATOR:
            for weight in model.discriminator.parameters():
                weight.clamp_(-self.clip, self.clip)


class GradientPenaltyStep(CriticStep):
    """Gulrajani et al.'s WGAN-GP: the critic loss plus gp_weight times the gradient penalty."""

    group_defaults: ClassVar[dict[str, dict[str, Any]]] = optimizer_defaults(1e-4, (0.0, 0.9))

    gp_weight: float = Field(10.0, ge=0, description="lambda, the weight of the gradient penalty.")

    def discriminator_loss(self, model, batch: Batch, state) -> dict[str, torch.Tensor]:
        if self.fakes == "reuse" and model.conditional:
            raise ConfigError("the gradient penalty interpolates real and fake examples of the same labels, and "
                              "reused fakes carry the previous batch's labels: use step.fakes=fresh")
        terms, fake = self.critic_terms(model, batch, state)
        condition = self.condition(model, batch)
        penalty = gradient_penalty(lambda x: model.discriminate(x, condition), interpolate(batch.x, fake))
        return terms | {"loss": terms["loss"] + self.gp_weight * penalty, "gradient_penalty": penalty.detach()}
