"""The GAN of Goodfellow et al. 2014: an MLP (or conv) generator against a binary classifier.

    J_D = E[-log D(x)] + E[-log(1 - D(G(z)))]
    J_G = E[log(1 - D(G(z)))]   (minimax, the paper's game)   or   E[-log D(G(z))]   (non-saturating)

`--set step.generator_objective=minimax` trains the paper's game, whose generator gradient vanishes
while D rejects the fakes; the default is the non-saturating loss the paper recommends in practice.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from genzoo.plugin import Batch

from genzoo_adversarial.base import AdversarialConfig, AdversarialModel, AdversarialStep
from genzoo_adversarial.losses import discriminator_loss, minimax_generator_loss, non_saturating_generator_loss

GENERATOR_LOSSES = {"non-saturating": non_saturating_generator_loss, "minimax": minimax_generator_loss}


class GANConfig(AdversarialConfig):
    """MLPs on 2-D points by default; `network=conv` with image data gives DCGAN-shaped networks."""


class GAN(AdversarialModel):
    """Goodfellow et al.'s GAN (see the module docstring)."""

    config_class = GANConfig


class GANStep(AdversarialStep):
    """The binary-classifier game with the minimax or the non-saturating generator loss."""

    generator_objective: Literal["non-saturating", "minimax"] = Field(
        "non-saturating", description="non-saturating: J_G = E[-log D(G(z))]; minimax: J_G = E[log(1 - D(G(z)))].")

    def discriminator_loss(self, model, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.discriminator_fakes(model, batch, state)
        real_logits = model.discriminate(batch.x, self.condition(model, batch))
        fake_logits = model.discriminate(fake.x, fake.condition)
        # Mean D(x) on real and fake examples: both near 1/2 at the game's equilibrium.
        return {"loss": discriminator_loss(real_logits, fake_logits),
                "d_real": torch.sigmoid(real_logits).mean().detach(),
                "d_fake": torch.sigmoid(fake_logits).mean().detach()}

    def generator_loss(self, model, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.generator_fakes(model, batch, state)
        fake_logits = model.discriminate(fake.x, fake.condition)
        return {"loss": GENERATOR_LOSSES[self.generator_objective](fake_logits)}
