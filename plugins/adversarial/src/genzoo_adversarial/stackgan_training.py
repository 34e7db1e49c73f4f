"""StackGAN's two trainers: `stage-one` and `stage-two` (run the second with `--init` from the first's run).

Both are the same two-player game on one stage's networks, with DCGAN's Adam (2e-4, betas (0.5, 0.999)):
- discriminator: the matching-aware loss on (real, label), (real, wrong label) and (fake, label);
- generator (with its conditioning augmentation): the non-saturating loss + `kl_weight` (lambda) x the
  conditioning KL (stackgan_losses.py, summed over the code's dimensions).
The KL bounds how much the code can say about the label (E_y KL(q(c|y) || N(0, I)) >= I(c; y)), and telling 10
digits apart needs ln 10 = 2.3 nats. The paper writes lambda = 1; on the summed KL that held the 16-d code at 0.57
nats over stage-I steps 800-1,200, and stage I (raw weights, step 1,201) drew the asked-for digit 22% of the time
(benchmarks/stackgan_checkpoint_check.py). The paper's released code weighs the KL *averaged* over the code's
dimensions by 2, i.e. 2 / code_dim on the summed KL: 0.125 for our 16-d code, the default here (KL 1.2 nats at
step 1,000 of the same recipe, 4.9 at 3,000).
`stage-one` plays it on the batch's images average-pooled to the stage-I size. `stage-two` plays it at full
resolution on fakes refined from stage I's output; stage I is frozen: no optimizer holds its weights, it runs under
no_grad and in eval mode (its batch-norm statistics stay those it was trained with, so stage II learns from the
stage-I images that sampling will give it).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import ClassVar

import torch
from pydantic import Field
from torch import nn

from genzoo.plugin import Batch, ConfigError, TrainingStep

from genzoo_adversarial.base import DISCRIMINATOR, GENERATOR, Losses, optimizer_defaults
from genzoo_adversarial.losses import non_saturating_generator_loss
from genzoo_adversarial.stackgan import Stage, StackGAN
from genzoo_adversarial.stackgan_losses import (conditioning_kl, matching_aware_discriminator_loss,
                                                mismatched_labels)


class StageStep(TrainingStep):
    """One discriminator update, then one generator update, of the stage a subclass names."""

    groups: ClassVar[tuple[str, ...]] = (DISCRIMINATOR, GENERATOR)
    group_defaults: ClassVar[dict] = optimizer_defaults(2e-4, (0.5, 0.999))

    kl_weight: float = Field(0.125, ge=0, description="lambda: weight of the conditioning KL (summed over the code) in "
                                                     "the generator's loss; 0.125 = the released code's 2 x the "
                                                     "per-dimension mean for a 16-d code.")

    def stage(self, model: StackGAN) -> Stage:
        raise NotImplementedError

    def real(self, model: StackGAN, x: torch.Tensor) -> torch.Tensor:
        """The batch's images as this stage's discriminator sees real data."""
        raise NotImplementedError

    def fake(self, model: StackGAN, label: torch.Tensor):
        """(fakes for the one-hot labels, mu, log_sigma of this stage's code), differentiable in this stage."""
        raise NotImplementedError

    def parameters(self, model: StackGAN, group: str) -> Iterable[nn.Parameter]:
        stage = self.stage(model)
        if group == DISCRIMINATOR:
            return stage.discriminator.parameters()
        return chain(stage.conditioning.parameters(), stage.generator.parameters())

    def loss(self, model: StackGAN, batch: Batch, group: str, state: dict) -> Losses:
        if batch.label is None:
            raise ConfigError("StackGAN trains on labelled images (the label is its condition); this dataset has none")
        discriminator = self.stage(model).discriminator
        # The generator's update needs gradients through D, not of D's weights (its optimizer would drop them).
        discriminator.requires_grad_(group == DISCRIMINATOR)
        label = model.label(batch.label)
        if group == DISCRIMINATOR:
            real = self.real(model, batch.x)
            with torch.no_grad():
                fake = self.fake(model, label)[0]
            wrong = model.label(mismatched_labels(batch.label, model.data_spec.num_classes))
            real_logits, wrong_logits = discriminator(real, label), discriminator(real, wrong)
            fake_logits = discriminator(fake, label)
            return {"loss": matching_aware_discriminator_loss(real_logits, wrong_logits, fake_logits),
                    "d_real": torch.sigmoid(real_logits).mean().detach(),
                    "d_wrong": torch.sigmoid(wrong_logits).mean().detach(),
                    "d_fake": torch.sigmoid(fake_logits).mean().detach()}
        fake, mu, log_sigma = self.fake(model, label)
        adversarial = non_saturating_generator_loss(discriminator(fake, label))
        kl = conditioning_kl(mu, log_sigma)
        return {"loss": adversarial + self.kl_weight * kl, "adversarial": adversarial.detach(), "kl": kl.detach()}


class StageOneStep(StageStep):
    """Stage I on the data average-pooled to the stage-I size."""

    def stage(self, model: StackGAN) -> Stage:
        return model.stage_one

    def real(self, model: StackGAN, x: torch.Tensor) -> torch.Tensor:
        return model.low_resolution(x)

    def fake(self, model: StackGAN, label: torch.Tensor):
        return model.stage_one_fake(model.sample_latent(len(label)), label)


class StageTwoStep(StageStep):
    """Stage II at full resolution, refining the frozen stage I's images (start it with --init STAGE_ONE_RUN)."""

    def stage(self, model: StackGAN) -> Stage:
        return model.stage_two

    def real(self, model: StackGAN, x: torch.Tensor) -> torch.Tensor:
        return x

    def fake(self, model: StackGAN, label: torch.Tensor):
        model.stage_one.eval()
        with torch.no_grad():
            low = model.stage_one_fake(model.sample_latent(len(label)), label)[0]
        return model.stage_two_fake(low, label)
