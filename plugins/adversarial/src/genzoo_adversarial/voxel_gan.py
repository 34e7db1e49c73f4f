"""3D-GAN (Wu et al. 2016): DCGAN's game with volumetric convolutions, and its adaptive discriminator update.

The paper generates ShapeNet objects as 64^3 occupancy grids: a 200-d latent z goes through five
4x4x4 transposed convolutions (stride 2, batch norm and ReLU between them, a sigmoid at the end) and
a mirrored discriminator of 3-D convolutions with LeakyReLU judges them. Our analogue is 16^3
spheres, boxes and tori (`voxel-shapes`), so the networks have two stride-2 stages instead of four:
z -> 4^3 -> 8^3 -> 16^3 (networks.py's DCGAN convnets, made 3-D by the volume's shape). The base
model's sigmoid onto [0, 1] is the paper's output, and samples are thresholded to binary occupancy
(the DataSpec is binary).

The discriminator of a 3-D GAN learns much faster than the generator, so the paper updates it only
when its accuracy on the batch is not above 80% (`step.adaptive_accuracy`). Here the skip is real:
the step returns a loss with no path to the discriminator's weights, so their gradients stay None and
Adam leaves them and its moments untouched (a zero loss would still move them by Adam's momentum).
The paper's learning rates are the group defaults (generator 0.0025, discriminator 1e-5, Adam beta1
0.5, batch 100).
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field

from genzoo import DataSpec
from genzoo.plugin import Batch

from genzoo_adversarial.base import (DISCRIMINATOR, GENERATOR, AdversarialConfig, AdversarialModel, Losses,
                                     StepState)
from genzoo_adversarial.gan import GANStep
from genzoo_adversarial.losses import discriminator_loss
from genzoo_adversarial.voxel_shapes import voxel_spec

PAPER_OPTIMIZERS = {DISCRIMINATOR: {"lr": 1e-5, "betas": (0.5, 0.999), "ema": False},
                    GENERATOR: {"lr": 2.5e-3, "betas": (0.5, 0.999)}}


class VoxelGANConfig(AdversarialConfig):
    data: DataSpec = voxel_spec(16)
    network: Literal["conv"] = Field("conv", description="3D-GAN is convolutional: 3-D convolutions for volumes.")
    latent_dim: int = Field(200, ge=1, description="The paper's 200-d z ~ N(0, I).")
    channels: tuple[int, ...] = Field((32, 64), description="Discriminator widths per stride-2 stage; the generator "
                                                            "mirrors them (z -> 64 x 4^3 -> 32 x 8^3 -> 16^3).")
    discriminator_batch_norm: bool = True


class VoxelGAN(AdversarialModel):
    """Wu et al.'s volumetric GAN (see the module docstring)."""

    config_class = VoxelGANConfig


def discriminator_accuracy(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The share of a batch's real and fake examples the discriminator classifies right (D(x) > 1/2 on reals,
    < 1/2 on fakes), counted over both halves together: the number the paper's adaptive update looks at."""
    right = (real_logits > 0).sum() + (fake_logits < 0).sum()
    return right / (len(real_logits) + len(fake_logits))


def skipped(losses: Losses) -> Losses:
    """The losses with "loss" cut off from every weight: its value is logged as usual, but backward reaches only
    a fresh zero leaf, so no weight gets a gradient and the optimizer skips them all."""
    detached = losses["loss"].detach()
    cut = detached + torch.zeros((), device=detached.device, dtype=detached.dtype, requires_grad=True)
    return losses | {"loss": cut}


class VoxelGANStep(GANStep):
    """The GAN step (non-saturating by default) with 3D-GAN's adaptive discriminator update and the paper's Adam."""

    group_defaults = PAPER_OPTIMIZERS

    adaptive_accuracy: float | None = Field(0.8, gt=0, le=1, description=(
        "Skip a discriminator update when its accuracy on the batch is above this (the paper's 0.8); None always "
        "updates."))

    def discriminator_loss(self, model, batch: Batch, state: StepState) -> Losses:
        fake = self.discriminator_fakes(model, batch, state)
        real_logits = model.discriminate(batch.x)
        fake_logits = model.discriminate(fake.x)
        accuracy = discriminator_accuracy(real_logits, fake_logits).detach()
        skip = self.adaptive_accuracy is not None and bool(accuracy > self.adaptive_accuracy)
        losses = {"loss": discriminator_loss(real_logits, fake_logits), "accuracy": accuracy,
                  "skipped": torch.tensor(float(skip), device=accuracy.device)}
        return skipped(losses) if skip else losses
