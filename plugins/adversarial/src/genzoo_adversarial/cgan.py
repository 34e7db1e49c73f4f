"""The conditional GAN (Mirza & Osindero 2014): generator and discriminator both see the class label.

G(z, y) draws an example of class y; D(x, y) judges whether x is a real example *of class y*, so a
generator that ignores y is caught by pairs whose image does not fit their label. Training is
Goodfellow's game on (x, y) pairs: the GAN step already draws fakes for the batch's own labels and
hands the labels to D when the model is conditional, so the conditional GAN needs no step of its own.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from genzoo import Capability, DataSpec

from genzoo_adversarial.base import AdversarialConfig, AdversarialModel

MNIST = DataSpec(shape=(1, 28, 28), value_range=(0.0, 1.0), levels=256, num_classes=10)


class ClassConditionalConfig(AdversarialConfig):
    """A GAN's networks for labelled data: `data.num_classes` classes (MNIST's ten by default)."""

    data: DataSpec = Field(MNIST, description="The examples; num_classes says how many labels the networks see.")

    @model_validator(mode="after")
    def _has_classes(self):
        if (self.data.num_classes or 0) < 2:
            raise ValueError("a class-conditional GAN needs data with num_classes >= 2 (labelled data)")
        return self


class ConditionalGAN(AdversarialModel):
    """Both networks take a one-hot label (AdversarialModel does that for any conditional model)."""

    config_class = ClassConditionalConfig
    capabilities = AdversarialModel.capabilities | {Capability.CONDITIONAL}
