"""pix2pix (Isola et al. 2017): paired image-to-image translation by a U-Net against a conditional PatchGAN.

The generator G maps a source image s (an edge map) to a target-domain image (a digit); the
discriminator D sees s stacked with either the real target y or G(s) and judges each patch, and G is
trained on the adversarial loss plus lambda * L1(y, G(s)) (`paired_losses.py`). The paper's only noise
is dropout in the generator, kept on at test time; it reports that the outputs barely vary with it,
so `translate` here runs the generator in eval mode (dropout off, batch norm on its running
statistics): a translation is a function of the input, and `generator` is accepted but unused.

Trained on `edges2mnist` (fields "x" = the digit, "source" = its edge map): `genzoo train pix2pix
--data edges2mnist --out RUN`, then `genzoo translate RUN --input mnist-edges:3`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from pydantic import Field, model_validator

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import Batch, ConfigError, TrainingStep

from genzoo_adversarial.base import DISCRIMINATOR, GENERATOR, optimizer_defaults
from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range
from genzoo_adversarial.paired_losses import L1_WEIGHT, pix2pix_discriminator_loss, pix2pix_generator_loss
from genzoo_adversarial.translation_networks import Norm, PatchGAN, UNet

SOURCE_FIELD = "source"


class Pix2PixConfig(ModelConfig):
    """The target images (`data`, from the training data's "x"), the source images and both networks' widths."""

    data: DataSpec = MNIST
    source: DataSpec | None = Field(None, description="What translate takes; default: images of data's shape with "
                                                      "values in [0, 1] (an edge map, or any grey image).")
    generator_channels: tuple[int, ...] = Field((64, 128, 256), description="U-Net widths, one stride-2 level each.")
    discriminator_channels: tuple[int, ...] = Field((64, 128), description="PatchGAN widths: stride 2 for all but "
                                                                           "the last (64, 128: 16x16 patches).")
    norm: Norm = Field("batch", description="Normalisation in both networks: batch (pix2pix), instance or none.")
    dropout: float = Field(0.5, ge=0.0, lt=1.0, description="Dropout on the U-Net decoder stages nearest the "
                                                            "bottleneck, while training.")
    dropout_stages: int = Field(3, ge=0, description="How many decoder stages (from the bottleneck) have dropout.")

    @model_validator(mode="before")
    @classmethod
    def _default_source(cls, values: Any) -> Any:
        """No source given: images of the data's shape in [0, 1] (filled in, so a checkpoint records it)."""
        if not isinstance(values, dict) or values.get("source") is not None:
            return values
        try:
            shape = DataSpec.model_validate(values.get("data", MNIST)).shape
        except ValueError:
            return values  # the data field's own validation says what is wrong
        return {**values, "source": DataSpec(shape=shape, value_range=(0.0, 1.0))}

    @model_validator(mode="after")
    def _images(self):
        if not self.data.is_image or self.data.value_range is None or self.data.dtype == "int64":
            raise ValueError(f"pix2pix makes float images with a value_range, not data of shape {self.data.shape} "
                             f"({self.data.dtype}, range {self.data.value_range})")
        if self.source is None or not self.source.is_image or self.source.shape[1:] != self.data.shape[1:]:
            raise ValueError(f"source images {self.source.shape} must have the height and width of data "
                             f"{self.data.shape}: the U-Net keeps the size")
        if self.source.dtype == "int64":
            raise ValueError("the source must be a float image (a continuous, discrete or binary view)")
        return self


class Pix2Pix(GenerativeModel):
    """A U-Net generator and a conditional PatchGAN discriminator (see the module docstring)."""

    config_class = Pix2PixConfig
    capabilities = frozenset({Capability.TRANSLATE})
    default_sampler = None

    def __init__(self, config: Pix2PixConfig):
        super().__init__(config)
        source_channels, target_channels = config.source.shape[0], config.data.shape[0]
        self.generator = UNet(source_channels, target_channels, config.generator_channels, config.norm,
                              config.dropout, config.dropout_stages)
        self.discriminator = PatchGAN(source_channels + target_channels, config.discriminator_channels, config.norm)

    def fake(self, source: torch.Tensor) -> torch.Tensor:
        """G(s) in the data's value range, differentiable: a sigmoid onto [low, high] (pix2pix's tanh, rescaled)."""
        return squash_to_range(self.generator(source), self.data_spec)

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """G(x), snapped to the data's levels when they are discrete or binary (`generator` is unused: see above)."""
        return as_valid_sample(self.fake(x.to(self.dtype)), self.data_spec)

    def discriminate(self, source: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """The PatchGAN's logit map for the source stacked with an image, (n, 1, h', w')."""
        return self.discriminator(torch.cat([source, image], dim=1))


class Pix2PixStep(TrainingStep):
    """One discriminator update, then one generator update, each on its own batch of (source, target) pairs."""

    groups: ClassVar[tuple[str, ...]] = (DISCRIMINATOR, GENERATOR)
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = optimizer_defaults(2e-4, (0.5, 0.999))  # the paper's Adam

    l1_weight: float = Field(L1_WEIGHT, ge=0.0, description="lambda, the weight of the L1 term (the paper's 100).")
    adversarial_weight: float = Field(1.0, ge=0.0, description="Weight of the generator's GAN loss; 0 trains the "
                                                               "paper's L1-only ablation (no discriminator updates).")

    def parameters(self, model: Pix2Pix, group: str):
        return getattr(model, group).parameters()

    def updates(self, step: int):
        return (DISCRIMINATOR, GENERATOR) if self.adversarial_weight > 0 else (GENERATOR,)

    def loss(self, model: Pix2Pix, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        if SOURCE_FIELD not in batch:
            raise ConfigError(f"pix2pix learns from pairs: the data need a {SOURCE_FIELD!r} field beside 'x' (e.g. "
                              f"--data edges2mnist or edges2digits); these batches hold {sorted(batch)}")
        source, target = batch[SOURCE_FIELD], batch.x
        # D's weight gradients are not needed in G's update (D's optimizer zeroes them before its own).
        model.discriminator.requires_grad_(group == DISCRIMINATOR)
        if group == DISCRIMINATOR:
            with torch.no_grad():
                fake = model.fake(source)
            real_logits, fake_logits = model.discriminate(source, target), model.discriminate(source, fake)
            return {"loss": pix2pix_discriminator_loss(real_logits, fake_logits),
                    "d_real": torch.sigmoid(real_logits).mean().detach(),
                    "d_fake": torch.sigmoid(fake_logits).mean().detach()}
        fake = model.fake(source)
        logits = model.discriminate(source, fake) if self.adversarial_weight > 0 else None
        return pix2pix_generator_loss(logits, fake, target, self.l1_weight, self.adversarial_weight)
