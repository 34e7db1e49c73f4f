"""How PixelDTGAN trains: per step a D_R update, a D_A update and a converter update, each on its own batch of
(source, target) pairs (the paper's Algorithm 1 order; losses in domain_transfer_losses.py).

A batch's unassociated targets y- are its own targets shifted by one place (example i is judged with
example i-1's digit), so D_A sees as many negative real pairs as positive ones at no extra data cost;
a shifted digit is another MNIST image, of the same class one time in ten (then only its style
differs, which D_A may still learn to notice). Adam with DCGAN's betas (0.5, 0.999) at the reference
implementations' rates (1e-4 for the converter, 6.7e-5 for each discriminator).

Options: `step.l1_weight` adds lambda E|C(s) - y| to the converter's loss (0 by default: the paper
trains without a pixel loss); `step.adversarial_weight=0` drops both discriminators (no D updates), so
`--set step.adversarial_weight=0 --set step.l1_weight=1` is the pixel-loss baseline the paper argues
against (its baseline was MSE; L1, pix2pix's choice, blurs less).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import torch
from pydantic import Field, model_validator
from torch import nn

from genzoo.plugin import Batch, ConfigError, TrainingStep

from genzoo_adversarial.base import DISCRIMINATOR, Losses
from genzoo_adversarial.domain_transfer_losses import converter_loss, domain_discriminator_loss
from genzoo_adversarial.losses import discriminator_loss
from genzoo_adversarial.pixeldtgan import PixelDTGAN

DOMAIN, CONVERTER = "domain_discriminator", "converter"
SOURCE_FIELD = "source"
# Adam as in DCGAN (betas (0.5, 0.999)) at the reference implementations' rates: 2e-4 / 2 for the converter and
# 2e-4 / 3 for each discriminator (at 2e-4 for all three, D_R won within 500 steps and the converter collapsed to
# one output for every scene; see the adversarial README).
BETAS = (0.5, 0.999)


class PixelDTGANStep(TrainingStep):
    """D_R, then D_A, then the converter (module docstring); the fields are the options (`--set step.l1_weight=1`)."""

    groups: ClassVar[tuple[str, ...]] = (DISCRIMINATOR, DOMAIN, CONVERTER)
    # Only the converter is worth weight-averaging when a run keeps an EMA.
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = {
        DISCRIMINATOR: {"lr": 2e-4 / 3, "betas": BETAS, "ema": False},
        DOMAIN: {"lr": 2e-4 / 3, "betas": BETAS, "ema": False}, CONVERTER: {"lr": 1e-4, "betas": BETAS}}

    adversarial_weight: float = Field(1.0, ge=0.0, description="Weight of the converter's two GAN terms; 0 trains "
                                                               "the pixel-loss baseline (no discriminator updates).")
    l1_weight: float = Field(0.0, ge=0.0, description="Weight of E|C(s) - y| in the converter's loss (the paper: 0).")

    @model_validator(mode="after")
    def _some_loss(self):
        if self.adversarial_weight == 0 and self.l1_weight == 0:
            raise ValueError("adversarial_weight and l1_weight are both 0: the converter would have no loss")
        return self

    def parameters(self, model: nn.Module, group: str) -> Iterable[nn.Parameter]:
        return getattr(model, group).parameters()

    def updates(self, step: int) -> Sequence[str]:
        return self.groups if self.adversarial_weight > 0 else (CONVERTER,)

    def loss(self, model: PixelDTGAN, batch: Batch, group: str, state: dict) -> Losses:
        if SOURCE_FIELD not in batch:
            raise ConfigError(f"pixeldtgan learns from pairs: the data need a {SOURCE_FIELD!r} field beside 'x' (e.g. "
                              f"--data mnist-scenes or digits-scenes); these batches hold {sorted(batch)}")
        source, target = batch[SOURCE_FIELD], batch.x
        shape, expected = tuple(source.shape[1:]), model.source_spec.shape
        if shape != expected:
            raise ConfigError(f"the data's sources are {shape} images but the model reads {expected}: set model.source "
                              f"to match (e.g. --set 'model.source.shape=[{','.join(map(str, shape))}]')")
        # Each update computes only its own network's weight gradients (the others' optimizers would discard them).
        model.discriminator.requires_grad_(group == DISCRIMINATOR)
        model.domain_discriminator.requires_grad_(group == DOMAIN)
        if group == CONVERTER:
            return self.converter_loss(model, source, target)
        with torch.no_grad():
            converted = model.convert(source)
        if group == DISCRIMINATOR:
            real, fake = model.judge_real(target), model.judge_real(converted)
            return {"loss": discriminator_loss(real, fake), "d_real": torch.sigmoid(real).mean().detach(),
                    "d_fake": torch.sigmoid(fake).mean().detach()}
        if len(target) < 2:
            raise ConfigError("the domain discriminator takes its unassociated targets from the other pairs of a "
                              "batch: it needs 2 or more (train.batch_size; pick one that leaves no single example at "
                              "the end of an epoch)")
        associated, unassociated, judged = model.judge_pairs(source, target, target.roll(1, dims=0), converted)
        return {"loss": domain_discriminator_loss(associated, unassociated, judged),
                "a_associated": torch.sigmoid(associated).mean().detach(),
                "a_unassociated": torch.sigmoid(unassociated).mean().detach(),
                "a_converted": torch.sigmoid(judged).mean().detach()}

    def converter_loss(self, model: PixelDTGAN, source: torch.Tensor, target: torch.Tensor) -> Losses:
        converted = model.convert(source)
        adversarial = self.adversarial_weight > 0
        return converter_loss(model.judge_real(converted) if adversarial else None,
                              model.judge_pairs(source, converted)[0] if adversarial else None, converted, target,
                              self.adversarial_weight, self.l1_weight)
