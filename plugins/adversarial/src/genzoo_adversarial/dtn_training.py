"""How DTN trains: one discriminator update, then one generator (g) update, each on its own unpaired batch
with fields "input" (source images) and "target" (target images), as digits2mnist gives them.

  L_D = CE(D(G(x_s)), from-source) + CE(D(G(x_t)), from-target) + CE(D(x_t), real)
  L_G = CE(D(G(x_s)), real) + CE(D(G(x_t)), real)
        + constancy_weight * mean (f(x_s) - f(G(x_s)))^2        (L_CONST)
        + identity_weight * mean (x_t - G(x_t))^2              (L_TID)
        + tv_weight * TV(G(x_s))                               (L_TV)
with the paper's digit weights alpha = beta = 15, gamma = 0 (Taigman et al. 2017, SVHN -> MNIST) and
DCGAN's Adam (2e-4, beta1 0.5). f never trains; its labels were used once, to train it, and the
batches' labels are never read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import torch
from pydantic import Field
from torch import nn

from genzoo.plugin import Batch, GenzooError, TrainingStep

from genzoo_adversarial.base import DISCRIMINATOR, GENERATOR, Losses, optimizer_defaults
from genzoo_adversarial.domain_transfer_data import INPUT, TARGET
from genzoo_adversarial.dtn import DTN
from genzoo_adversarial.dtn_losses import (f_constancy_loss, target_identity_loss, three_way_discriminator_loss,
                                           three_way_generator_loss, total_variation)


class DTNStep(TrainingStep):
    """DTN's losses (module docstring); the fields are the options (`--set step.constancy_weight=15`)."""

    groups: ClassVar[tuple[str, ...]] = (DISCRIMINATOR, GENERATOR)
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = optimizer_defaults(2e-4, (0.5, 0.999))

    constancy_weight: float = Field(15.0, ge=0, description="alpha: weight of L_CONST, f(G(x)) ~ f(x) on source x.")
    identity_weight: float = Field(15.0, ge=0, description="beta: weight of L_TID, G(x) ~ x on target x.")
    tv_weight: float = Field(0.0, ge=0, description="gamma: weight of the total variation of G(x) on source x.")

    def parameters(self, model: nn.Module, group: str) -> Iterable[nn.Parameter]:
        return getattr(model, group).parameters()  # g or D; f is frozen

    def updates(self, step: int) -> Sequence[str]:
        return (DISCRIMINATOR, GENERATOR)

    def loss(self, model: DTN, batch: Batch, group: str, state: dict[str, torch.Tensor]) -> Losses:
        missing = [name for name in (INPUT, TARGET) if name not in batch]
        if missing:
            raise GenzooError(f"DTN trains on unpaired data with streams '{INPUT}' and '{TARGET}' (e.g. --data "
                              f"digits2mnist); this batch has {sorted(batch)}")
        source, target = batch[INPUT], batch[TARGET]
        model.discriminator.requires_grad_(group == DISCRIMINATOR)  # G's update needs D's input gradients only
        if group == DISCRIMINATOR:
            with torch.no_grad():
                from_source, from_target = model.transfer(source, "source"), model.transfer(target, "target")
            loss = three_way_discriminator_loss(model.discriminate(from_source), model.discriminate(from_target),
                                                model.discriminate(target))
            return {"loss": loss}
        return self.generator_loss(model, source, target)

    def generator_loss(self, model: DTN, source: torch.Tensor, target: torch.Tensor) -> Losses:
        features = model.features(source, "source")
        from_source = model.render(features)
        from_target = model.transfer(target, "target")
        adversarial = three_way_generator_loss(model.discriminate(from_source), model.discriminate(from_target))
        constancy = f_constancy_loss(features, model.features(from_source, "target"))
        identity = target_identity_loss(from_target, target)
        smoothness = total_variation(from_source)
        loss = (adversarial + self.constancy_weight * constancy + self.identity_weight * identity
                + self.tv_weight * smoothness)
        return {"loss": loss, "adversarial": adversarial.detach(), "constancy": constancy.detach(),
                "identity": identity.detach(), "tv": smoothness.detach()}
