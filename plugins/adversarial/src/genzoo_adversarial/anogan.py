"""AnoGAN (Schlegl et al. 2017): a DCGAN trained on normal data only, that scores inputs by latent search.

`model.anomaly_class` names the class left out of training: the step drops its examples from
every batch, so the generator learns the other classes only (the paper's setting: a model of
healthy tissue). `anomaly_scores(x)` then runs the latent search of anomaly_score.py, Adam on z
for `search_steps` steps, with the residual and the feature-matching discrimination loss on the
discriminator's last hidden layer. The `anomaly-auroc` metric scores the test split with the
left-out class as the anomaly; `genzoo anogan-score NAME --input ...` scores chosen inputs.
"""

from __future__ import annotations

import torch
from pydantic import Field, model_validator
from torch import nn

from genzoo import DataSpec
from genzoo.plugin import Batch, ConfigError

from genzoo_adversarial.anomaly_score import latent_search_scores
from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.dcgan import DCGAN, DCGANConfig
from genzoo_adversarial.gan import GANStep


class AnoGANConfig(DCGANConfig):
    """A DCGAN's networks, the class it never sees, and how its latent search runs."""

    data: DataSpec = MNIST
    anomaly_class: int | None = Field(None, ge=0, description="The class dropped from training and scored as the "
                                                              "anomaly; None: trained on every class.")
    search_steps: int = Field(500, ge=1, le=100_000, description="Adam steps on z per scored input (the paper: 500).")
    search_lr: float = Field(0.01, gt=0, le=10, description="Adam's learning rate on z.")
    discrimination_weight: float = Field(0.1, ge=0, le=1, description="lambda: (1 - lambda) residual + lambda "
                                                                      "discrimination loss (the paper: 0.1).")

    @model_validator(mode="after")
    def _anomaly_is_a_class(self):
        classes = self.data.num_classes
        if self.anomaly_class is not None and (classes is None or self.anomaly_class >= classes):
            raise ValueError(f"anomaly_class {self.anomaly_class} is not a class of the data "
                             f"({classes or 'no'} classes)")
        if self.pack != 1:
            raise ValueError("AnoGAN matches one input's discriminator features, so it cannot pack: set pack=1")
        return self


class AnoGAN(DCGAN):
    """A DCGAN with `discriminator_features` and `anomaly_scores`."""

    config_class = AnoGANConfig

    def discriminator_features(self, x: torch.Tensor) -> torch.Tensor:
        """The activations that feed the discriminator's output layer: its last hidden feature maps."""
        layers = list(self.discriminator.net)
        output_layer = max(i for i, layer in enumerate(layers) if isinstance(layer, nn.Conv2d))
        return nn.Sequential(*layers[:output_layer])(x)

    def anomaly_scores(self, x: torch.Tensor, *, generator: torch.Generator | None = None,
                       steps: int | None = None) -> torch.Tensor:
        """AnoGAN's score of each input (higher: more anomalous), in eval mode (batch norm statistics frozen)."""
        was_training = self.training
        self.eval()
        try:
            return latent_search_scores(x, self.fake, self.discriminator_features, self.latent_dim,
                                        steps=steps or self.config.search_steps, lr=self.config.search_lr,
                                        weight=self.config.discrimination_weight, generator=generator)
        finally:
            self.train(was_training)


class NormalClassesStep(GANStep):
    """The GAN step on each batch's examples outside `model.anomaly_class`."""

    def loss(self, model: AnoGAN, batch: Batch, group: str, state) -> dict[str, torch.Tensor]:
        anomaly = model.config.anomaly_class
        if anomaly is not None:
            if batch.label is None:
                raise ConfigError("anomaly_class needs labelled data: the step drops that class's examples")
            keep = batch.label != anomaly
            if not keep.any():
                raise ConfigError(f"a batch held only class {anomaly} examples: use a larger train.batch_size")
            batch = batch.replace(x=batch.x[keep], label=batch.label[keep])
        return super().loss(model, batch, group, state)
