"""The generative moment matching network (Li et al. 2015): a generator trained by MMD, no discriminator.

The GAN's learned critic is replaced by a fixed kernel two-sample statistic: each step draws as
many fakes as the batch has real examples and minimises the unbiased MMD^2 between the two sets
under a mixture of RBF kernels (mmd.py). There is no adversary to collapse against, which gives
stable training and good mode coverage on 2-D toys; the price is the kernel's bandwidths, which
must match the data's scales (`--set step.bandwidths=[...]`). Li et al.'s MNIST kernels
exp(-|x - y|^2 / (2 sigma)) with sigma in {2, 5, 10, 20, 40, 80} are bandwidths of about
1.4, 2.2, 3.2, 4.5, 6.3 and 8.9 in this module's convention exp(-|x - y|^2 / (2 s^2)).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, ClassVar

import torch
from pydantic import Field
from torch import nn

from genzoo.plugin import Batch, ConfigError, TrainingStep

from genzoo_adversarial.base import GENERATOR, AdversarialConfig, AdversarialModel
from genzoo_adversarial.mmd import unbiased_mmd2

# From the 25-gaussian grid's mode width (0.018) to the 8-gaussian ring's diameter (5.7).
TOY_BANDWIDTHS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
Bandwidth = Annotated[float, Field(gt=0, le=1e6)]


class GMMNConfig(AdversarialConfig):
    """The generator's shape (the discriminator fields of the shared config are unused)."""


class GMMN(AdversarialModel):
    """A generator G(z) only: samples are G(z), z ~ N(0, I), like any GAN of the family."""

    config_class = GMMNConfig

    def __init__(self, config: GMMNConfig):
        super().__init__(config)
        del self.discriminator  # the kernel statistic is the critic: no weights to train or to save


class MMDStep(TrainingStep):
    """Minimise the unbiased MMD^2 between a batch of fakes and the real batch."""

    groups: ClassVar[tuple[str, ...]] = (GENERATOR,)

    bandwidths: tuple[Bandwidth, ...] = Field(TOY_BANDWIDTHS, min_length=1, description=(
        "RBF length scales s of the kernel mixture sum_s exp(-|x - y|^2 / (2 s^2)), in data units."))

    def parameters(self, model: GMMN, group: str) -> Iterable[nn.Parameter]:
        return model.generator.parameters()

    def loss(self, model: GMMN, batch: Batch, group: str, state) -> dict[str, torch.Tensor]:
        if len(batch.x) < 2:
            raise ConfigError("the unbiased MMD^2 needs at least 2 examples per batch: set train.batch_size >= 2")
        fake = model.fake(model.sample_latent(len(batch.x)))
        return {"loss": unbiased_mmd2(fake, batch.x, self.bandwidths)}
