"""SRGAN's two trainers: `srgan` (pixel + perceptual + adversarial) and `pixel` (L1 alone, the baseline).

Both read paired batches with fields `x` (the high-resolution target) and `source` (its shrunk copy),
as `mnist-sr` and `digits-sr` give them. The perceptual loss's feature maps come from a pretrained
genzoo classifier (`step.perceptual_classifier`, classifier-mnist for 28x28 MNIST), loaded once per
process and kept out of the model and its checkpoint.
"""

from __future__ import annotations

import functools
from typing import ClassVar

import torch
from pydantic import Field

import genzoo
from genzoo.plugin import Batch, ConfigError, TrainingStep

from genzoo_adversarial.base import DISCRIMINATOR, GENERATOR, optimizer_defaults
from genzoo_adversarial.losses import discriminator_loss, non_saturating_generator_loss
from genzoo_adversarial.srgan import SRGAN
from genzoo_adversarial.superresolution_losses import ClassifierFeatureMaps, perceptual_loss, pixel_loss

# The paper's Adam (lr 1e-4, beta1 0.9); the discriminator's weights are never averaged.
ADAM = {"lr": 1e-4, "betas": (0.9, 0.999)}


def paired(model: SRGAN, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """(source, target) of a paired batch, or a one-line error naming what is wrong with the data."""
    if "source" not in batch:
        raise ConfigError(f"SRGAN trains on paired data with a 'source' field (mnist-sr, digits-sr); this batch has "
                          f"{', '.join(sorted(batch))}")
    source = batch["source"]
    if tuple(source.shape[1:]) != tuple(model.source_spec.shape):
        raise ConfigError(f"the data's source images are {tuple(source.shape[1:])} but the model takes "
                          f"{model.source_spec.shape}: set model.source.shape to match")
    return source, batch.x


@functools.lru_cache(maxsize=2)
def feature_maps(name: str, device: str) -> ClassifierFeatureMaps:
    """The frozen feature maps of the pretrained classifier `name` on `device`, loaded once per process."""
    return ClassifierFeatureMaps(genzoo.load(name, device=device))


class PixelStep(TrainingStep):
    """The generator alone, trained with L1 to the target: the baseline SRGAN is compared with."""

    groups: ClassVar[tuple[str, ...]] = (GENERATOR,)
    group_defaults: ClassVar[dict] = {GENERATOR: ADAM}

    def parameters(self, model: SRGAN, group: str):
        return model.generator.parameters()

    def loss(self, model: SRGAN, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        source, target = paired(model, batch)
        loss = pixel_loss(model.upsample(source), target)
        return {"loss": loss, "pixel": loss.detach()}


class SRGANStep(TrainingStep):
    """One discriminator update, then one generator update on
    pixel_weight * L1 + perceptual_weight * feature MSE + adversarial_weight * (-log D(G(source)))."""

    groups: ClassVar[tuple[str, ...]] = (DISCRIMINATOR, GENERATOR)
    group_defaults: ClassVar[dict] = optimizer_defaults(**ADAM)

    pixel_weight: float = Field(1.0, ge=0, description="Weight of the L1 pixel loss.")
    perceptual_weight: float = Field(1.0, ge=0, description="Weight of the classifier feature-map MSE.")
    adversarial_weight: float = Field(1e-2, ge=0, description="Weight of the generator's adversarial loss "
                                                              "(the paper's 1e-3 beside a rescaled VGG loss).")
    perceptual_classifier: str = Field("classifier-mnist", description="Pretrained genzoo classifier whose "
                                                                       "conv feature maps the perceptual loss uses.")

    def parameters(self, model: SRGAN, group: str):
        return getattr(model, group).parameters()

    def loss(self, model: SRGAN, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        source, target = paired(model, batch)
        # The generator's update needs gradients through D, not of D's own weights (its optimizer would drop them).
        model.discriminator.requires_grad_(group == DISCRIMINATOR)
        if group == DISCRIMINATOR:
            with torch.no_grad():
                fake = model.upsample(source)
            loss = discriminator_loss(model.discriminate(target), model.discriminate(fake))
            return {"loss": loss}
        fake = model.upsample(source)
        pixel = pixel_loss(fake, target)
        perceptual = perceptual_loss(self._features(model), fake, target) if self.perceptual_weight else pixel * 0
        adversarial = non_saturating_generator_loss(model.discriminate(fake))
        loss = (self.pixel_weight * pixel + self.perceptual_weight * perceptual
                + self.adversarial_weight * adversarial)
        return {"loss": loss, "pixel": pixel.detach(), "perceptual": perceptual.detach(),
                "adversarial": adversarial.detach()}

    def _features(self, model: SRGAN) -> ClassifierFeatureMaps:
        features = feature_maps(self.perceptual_classifier, str(model.device))
        if features.image_shape != tuple(model.data_spec.shape):
            raise ConfigError(f"step.perceptual_classifier {self.perceptual_classifier!r} reads images of "
                              f"{features.image_shape}, but the model makes {model.data_spec.shape}")
        return features
