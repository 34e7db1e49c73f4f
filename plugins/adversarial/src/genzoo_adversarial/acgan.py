"""AC-GAN (Odena et al. 2017): the generator sees the label, the discriminator must name it.

The discriminator gets no label. Beside its realness logit it outputs one logit per class, an
auxiliary classifier trained on real *and* fake examples. With L_S the log-likelihood of the right
source (real/fake) and L_C that of the right class, D maximises L_S + L_C and G maximises L_C - L_S
(here: the non-saturating form of -L_S). Asking the generator to be recognisable as its class is
what sharpens class-conditional samples compared with feeding the label to D. The classifier is
also exposed as `classify`, so `genzoo eval --metric accuracy` measures it on real test data.
"""

from __future__ import annotations

import torch
from pydantic import Field, model_validator
from torch.nn import functional as F

from genzoo.plugin import Batch

from genzoo_adversarial.base import AdversarialStep
from genzoo_adversarial.cgan import ClassConditionalConfig, ConditionalGAN
from genzoo_adversarial.losses import discriminator_loss, non_saturating_generator_loss
from genzoo_adversarial.networks import build_discriminator


def acgan_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, real_labels: torch.Tensor,
                             fake_labels: torch.Tensor, class_weight: float) -> torch.Tensor:
    """-(L_S + w L_C): Goodfellow's J_D on column 0, plus w times the class cross-entropy of real and fake examples."""
    classes = F.cross_entropy(real_logits[:, 1:], real_labels) + F.cross_entropy(fake_logits[:, 1:], fake_labels)
    return discriminator_loss(real_logits[:, 0], fake_logits[:, 0]) + class_weight * classes


def acgan_generator_loss(fake_logits: torch.Tensor, fake_labels: torch.Tensor, class_weight: float) -> torch.Tensor:
    """-(w L_C - L_S) in non-saturating form: E[-log D(G(z, y))] + w CE(classes of G(z, y), y)."""
    return non_saturating_generator_loss(fake_logits[:, 0]) + class_weight * F.cross_entropy(fake_logits[:, 1:],
                                                                                             fake_labels)


class ACGANConfig(ClassConditionalConfig):
    @model_validator(mode="after")
    def _one_example_per_output(self):
        if self.pack != 1:
            raise ValueError("AC-GAN classifies each example, so its discriminator cannot pack examples: set pack=1")
        return self


class ACGAN(ConditionalGAN):
    """A label-conditioned generator against a discriminator with 1 + num_classes outputs and no label input."""

    config_class = ACGANConfig

    def __init__(self, config: ACGANConfig):
        super().__init__(config)
        # AdversarialModel hands every conditional model's discriminator the label; AC-GAN's must infer it.
        self.discriminator = build_discriminator(config, 1 + config.data.num_classes)

    def discriminator_logits(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """(n, 1 + num_classes): the realness logit, then the class logits. The label is never an input."""
        return self.discriminator(x)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (n, num_classes) of the auxiliary classifier."""
        return self.discriminator_logits(x)[:, 1:]


class ACGANStep(AdversarialStep):
    """AC-GAN's two losses; fakes are drawn for the batch's own labels (reused ones keep the labels they were
    drawn for)."""

    class_weight: float = Field(1.0, ge=0, description="Weight of the auxiliary class cross-entropy (the paper: 1).")

    def discriminator_loss(self, model: ACGAN, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.discriminator_fakes(model, batch, state)
        real_logits, fake_logits = model.discriminator_logits(batch.x), model.discriminator_logits(fake.x)
        loss = acgan_discriminator_loss(real_logits, fake_logits, batch.label, fake.condition, self.class_weight)
        accuracy = (real_logits[:, 1:].argmax(1) == batch.label).float().mean()
        return {"loss": loss, "class_acc_real": accuracy.detach()}

    def generator_loss(self, model: ACGAN, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.generator_fakes(model, batch, state)
        fake_logits = model.discriminator_logits(fake.x)
        accuracy = (fake_logits[:, 1:].argmax(1) == fake.condition).float().mean()
        return {"loss": acgan_generator_loss(fake_logits, fake.condition, self.class_weight),
                "class_acc_fake": accuracy.detach()}
