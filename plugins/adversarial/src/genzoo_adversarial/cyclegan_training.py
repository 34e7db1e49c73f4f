"""How CycleGAN and DiscoGAN train: one generator update (both translators), then one discriminator update
(both discriminators), each on its own unpaired batch (fields "a" and "b", one per stream).

CycleGAN (Zhu et al. 2017), per generator update on images a, b:
  adversarial  = E[(D_b(G_ab(a)) - 1)^2] + E[(D_a(G_ba(b)) - 1)^2]            (least squares)
  cycle        = |G_ba(G_ab(a)) - a| + |G_ab(G_ba(b)) - b|                    (mean absolute error)
  identity     = |G_ab(b) - b| + |G_ba(a) - a|
  loss         = adversarial + cycle_weight * (cycle + identity_weight * identity)
with cycle_weight 10 and identity_weight 0.5 (the reference's lambda_A = lambda_B = 10 and
lambda_identity = 0.5, which it scales by lambda). The discriminators then train on a fresh real
batch against the fakes of that generator update, drawn through an image pool of 50 each:
  D loss = 0.5 (E[(D_b(b) - 1)^2] + E[D_b(pool_b(G_ab(a)))^2]) + the same for D_a.

DiscoGAN (Kim et al. 2017) is the `discogan` trainer: the same two-generator cycle, but the log-loss
game (losses.discriminator_loss, non_saturating_generator_loss), a squared-error reconstruction with
weight 1, no identity term and no pool.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal

import torch
from pydantic import Field
from torch import nn

from genzoo.plugin import Batch, GenzooError, TrainingStep

from genzoo_adversarial.base import DISCRIMINATOR, GENERATOR, Losses, optimizer_defaults
from genzoo_adversarial.cycle_losses import (absolute_error, least_squares_discriminator_loss,
                                             least_squares_generator_loss, squared_error)
from genzoo_adversarial.cyclegan import CycleGAN
from genzoo_adversarial.image_pool import empty_pool, query_pool
from genzoo_adversarial.losses import discriminator_loss, non_saturating_generator_loss

STREAMS = ("a", "b")
# Where the generator update leaves its (detached) fakes for the discriminator update, and the pools.
KEPT = {"a": "fake_a", "b": "fake_b"}
POOL = {"a": ("pool_a", "pool_a_count"), "b": ("pool_b", "pool_b_count")}


class CycleGANStep(TrainingStep):
    """CycleGAN's losses (module docstring); the fields are the options (`--set step.cycle_weight=5`)."""

    groups: ClassVar[tuple[str, ...]] = (GENERATOR, DISCRIMINATOR)
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = optimizer_defaults(2e-4, (0.5, 0.999))  # the paper's Adam

    adversarial: Literal["least-squares", "log-loss"] = Field(
        "least-squares", description="The game: least squares (CycleGAN, LSGAN) or log-loss (DiscoGAN, GAN).")
    reconstruction: Literal["absolute", "squared"] = Field(
        "absolute", description="Cycle (and identity) distance: mean absolute (CycleGAN) or squared error (DiscoGAN).")
    cycle_weight: float = Field(10.0, ge=0, description="Weight of the cycle-consistency term (lambda).")
    identity_weight: float = Field(0.5, ge=0, description="Identity term's weight relative to cycle_weight (0: none).")
    pool_size: int = Field(50, ge=0, le=10_000, description="Fakes kept per domain in the image pool (0: no pool).")

    def parameters(self, model: nn.Module, group: str) -> Iterable[nn.Parameter]:
        pair = ("generator_ab", "generator_ba") if group == GENERATOR else ("discriminator_a", "discriminator_b")
        return [p for name in pair for p in getattr(model, name).parameters()]

    def updates(self, step: int) -> Sequence[str]:
        return (GENERATOR, DISCRIMINATOR)

    def init_state(self, model: CycleGAN) -> dict[str, torch.Tensor]:
        state = {}
        for domain, (images, count) in POOL.items():
            pool = empty_pool(self.pool_size, model.domain_spec(domain).shape, model.device)
            state[images], state[count] = pool["images"], pool["count"]
        return state

    def loss(self, model: CycleGAN, batch: Batch, group: str, state: dict[str, torch.Tensor]) -> Losses:
        missing = [name for name in STREAMS if name not in batch]
        if missing:
            raise GenzooError(f"{type(self).__name__} trains on unpaired data with streams 'a' and 'b' (e.g. "
                              f"--data mnist-thin-thick or folder:PATH with trainA/ trainB/); this batch has "
                              f"{sorted(batch)}")
        discriminators = (model.discriminator_a, model.discriminator_b)
        for network in discriminators:
            network.requires_grad_(group == DISCRIMINATOR)  # G's update needs D's input gradients only
        if group == GENERATOR:
            return self.generator_loss(model, batch["a"], batch["b"], state)
        return self.discriminator_loss(model, batch["a"], batch["b"], state)

    # -- the two updates ---------------------------------------------------------------------------
    def generator_loss(self, model: CycleGAN, a: torch.Tensor, b: torch.Tensor, state: dict) -> Losses:
        fake_b, fake_a = model.map(a, "a_to_b"), model.map(b, "b_to_a")
        adversarial = self.fool(model.discriminator_b(fake_b)) + self.fool(model.discriminator_a(fake_a))
        cycle = self.distance(model.map(fake_b, "b_to_a"), a) + self.distance(model.map(fake_a, "a_to_b"), b)
        losses = {"adversarial": adversarial, "cycle": cycle}
        total = adversarial + self.cycle_weight * cycle
        if self.identity_weight > 0:
            identity = self.distance(model.map(b, "a_to_b"), b) + self.distance(model.map(a, "b_to_a"), a)
            losses["identity"] = identity
            total = total + self.cycle_weight * self.identity_weight * identity
        state[KEPT["a"]], state[KEPT["b"]] = fake_a.detach(), fake_b.detach()
        return {"loss": total, **losses}

    def discriminator_loss(self, model: CycleGAN, a: torch.Tensor, b: torch.Tensor, state: dict) -> Losses:
        fake_a, fake_b = self.kept_fakes(model, a, b, state)
        loss_a = self.judge(model.discriminator_a(a), model.discriminator_a(self.pooled(state, "a", fake_a)))
        loss_b = self.judge(model.discriminator_b(b), model.discriminator_b(self.pooled(state, "b", fake_b)))
        return {"loss": loss_a + loss_b, "d_a": loss_a, "d_b": loss_b}

    # -- pieces ----------------------------------------------------------------------------------
    def kept_fakes(self, model: CycleGAN, a: torch.Tensor, b: torch.Tensor, state: dict) -> tuple[torch.Tensor, ...]:
        """The last generator update's fakes (taken out of the state), or fresh ones when there are none of
        this batch's size (a run's first update after a resume from an old state, a short last batch)."""
        fake_a, fake_b = state.pop(KEPT["a"], None), state.pop(KEPT["b"], None)
        if fake_a is not None and len(fake_a) == len(a) and len(fake_b) == len(b):
            return fake_a, fake_b
        with torch.no_grad():
            return model.map(b, "b_to_a"), model.map(a, "a_to_b")

    def pooled(self, state: dict, domain: str, fakes: torch.Tensor) -> torch.Tensor:
        images, count = POOL[domain]
        return query_pool({"images": state[images], "count": state[count]}, fakes)  # updates the state in place

    def fool(self, fake_scores: torch.Tensor) -> torch.Tensor:
        if self.adversarial == "least-squares":
            return least_squares_generator_loss(fake_scores)
        return non_saturating_generator_loss(fake_scores)

    def judge(self, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
        if self.adversarial == "least-squares":
            return least_squares_discriminator_loss(real_scores, fake_scores)
        return discriminator_loss(real_scores, fake_scores)

    def distance(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return absolute_error(x, y) if self.reconstruction == "absolute" else squared_error(x, y)


class DiscoGANStep(CycleGANStep):
    """DiscoGAN (Kim et al. 2017): log-loss game, squared-error reconstruction of weight 1, no identity, no pool."""

    adversarial: Literal["least-squares", "log-loss"] = "log-loss"
    reconstruction: Literal["absolute", "squared"] = "squared"
    cycle_weight: float = Field(1.0, ge=0, description="Weight of the reconstruction term (DiscoGAN: 1).")
    identity_weight: float = Field(0.0, ge=0, description="Identity term's weight relative to cycle_weight (0: none).")
    pool_size: int = Field(0, ge=0, le=10_000, description="Fakes kept per domain in the image pool (0: no pool).")
