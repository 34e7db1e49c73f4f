"""InfoGAN (Chen et al. 2016): latent codes that the generator must make recoverable from its images.

The generator's input is [one-hot categorical code c1 | continuous codes c2 ~ U(-1, 1) | noise
~ N(0, I)]. Nothing tells the codes what to mean; the game adds a term that rewards the generator
when the codes can be read back from G(z), a variational lower bound on the mutual information
between codes and images:

    I(c; G(z, c)) >= H(c) + E[log Q(c | G(z, c))]

where Q is a head that shares the discriminator's body: the discriminator's last layer gives, beside
the realness logit, the categorical logits and the means of a unit-variance Gaussian on each
continuous code (any fixed variance keeps the bound valid). Generator and Q both minimise the
negative bound, so it is added to the generator's loss and, on detached fakes, to the
discriminator's. On MNIST the categorical code comes to mean the digit and the continuous ones
slant and width: the `traversal` sampler draws that grid, the `code-agreement` metric measures
how well Q's categorical code names real digits.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import torch
from pydantic import Field, model_validator
from torch.nn import functional as F

from genzoo import DataSpec
from genzoo.plugin import Batch

from genzoo_adversarial.base import GENERATOR, AdversarialConfig, AdversarialModel, optimizer_defaults
from genzoo_adversarial.cgan import MNIST
from genzoo_adversarial.gan import GENERATOR_LOSSES, GANStep
from genzoo_adversarial.losses import discriminator_loss
from genzoo_adversarial.noise import normal, uniform

HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def categorical_code_nll(logits: torch.Tensor, category: torch.Tensor) -> torch.Tensor:
    """-E[log Q(c1 | x)]: the cross-entropy of Q's categorical logits against the code that was drawn."""
    return F.cross_entropy(logits, category)


def continuous_code_nll(means: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """-E[log Q(c2 | x)] under a unit-variance Gaussian per code: sum over codes of (c - mu)^2 / 2 + log(2 pi) / 2."""
    return (0.5 * (values - means).square() + HALF_LOG_TWO_PI).sum(dim=1).mean()


def information_bound(categorical_nll: torch.Tensor, continuous_nll: torch.Tensor, categories: int,
                      continuous: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The lower bounds on I(c1; x) and I(c2; x) in nats: H(c) - NLL, with H = log K for a uniform categorical
    code and log 2 per U(-1, 1) code (its differential entropy)."""
    return math.log(categories) - categorical_nll, continuous * math.log(2) - continuous_nll


class InfoGANConfig(AdversarialConfig):
    """DCGAN-shaped networks on MNIST by default; `latent_dim` counts the codes too (the paper: 62 noise + 12)."""

    data: DataSpec = MNIST
    network: Literal["mlp", "conv"] = Field("conv", description="mlp: any data; conv: DCGAN convnets for images.")
    latent_dim: int = Field(74, ge=2, description="Generator input width: categorical one-hot + continuous codes + "
                                                  "noise.")
    categories: int = Field(10, ge=2, description="Values of the categorical code c1.")
    continuous: int = Field(2, ge=0, description="Number of U(-1, 1) continuous codes c2.")

    @model_validator(mode="after")
    def _codes_fit(self):
        if self.latent_dim <= self.categories + self.continuous:
            raise ValueError(f"latent_dim ({self.latent_dim}) must exceed categories + continuous "
                             f"({self.categories + self.continuous}): it holds the codes and at least one noise value")
        if self.pack != 1:
            raise ValueError("InfoGAN's Q head reads the codes of each example, so the discriminator cannot pack: "
                             "set pack=1")
        return self


class InfoGAN(AdversarialModel):
    """An unconditional GAN whose discriminator also outputs Q's categorical logits and continuous means."""

    config_class = InfoGANConfig

    @property
    def discriminator_outputs(self) -> int:
        """Realness, then Q: one logit per category and one mean per continuous code."""
        return 1 + self.config.categories + self.config.continuous

    @property
    def noise_dim(self) -> int:
        return self.config.latent_dim - self.config.categories - self.config.continuous

    # -- codes and latents -------------------------------------------------------------------
    def latent_from_codes(self, category: torch.Tensor, continuous: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        """The generator's input [one_hot(category) | continuous | noise]."""
        one_hot = F.one_hot(category.long(), self.config.categories).to(noise.dtype)
        return torch.cat([one_hot, continuous.to(noise.dtype), noise], dim=1)

    def generate_from_latent(self, z: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """G(z) as a valid sample, after snapping the categorical slots of z to the one-hot of their largest entry.

        Latents from `latent_from_codes` pass unchanged; any other z (the truncation sampler's truncated
        normal draws) gets a category, uniformly distributed for i.i.d. slots, instead of a blend of them.
        """
        categories = self.config.categories
        one_hot = F.one_hot(z[:, :categories].argmax(dim=1), categories).to(z.dtype)
        return super().generate_from_latent(torch.cat([one_hot, z[:, categories:]], dim=1), condition)

    def codes_of_latent(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(category, continuous codes) that `latent_from_codes` put into z."""
        categories = self.config.categories
        return z[:, :categories].argmax(dim=1), z[:, categories:categories + self.config.continuous]

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return normal((n, self.noise_dim), generator, self.device)

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Codes from their priors (c1 uniform over the categories, c2 ~ U(-1, 1)) and N(0, I) noise."""
        category = (uniform((n,), generator, self.device) * self.config.categories).long()
        continuous = uniform((n, self.config.continuous), generator, self.device) * 2 - 1
        return self.latent_from_codes(category.clamp_max(self.config.categories - 1), continuous,
                                      self.sample_noise(n, generator))

    # -- Q ----------------------------------------------------------------------------------
    def split_outputs(self, logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Discriminator outputs as (realness logits (n,), Q's categorical logits, Q's continuous means)."""
        categories = self.config.categories
        return logits[:, 0], logits[:, 1:1 + categories], logits[:, 1 + categories:]

    def code_predictions(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Q(c | x): categorical logits (n, categories) and continuous means (n, continuous)."""
        return self.split_outputs(self.discriminator_logits(x))[1:]

    def infer_category(self, x: torch.Tensor) -> torch.Tensor:
        """The most likely categorical code of each example under Q (what `code-agreement` scores)."""
        return self.code_predictions(x)[0].argmax(dim=1)


class InfoGANStep(GANStep):
    """Goodfellow's game plus the information term, weighted per code type.

    The paper's learning rates (Adam 2e-4 for D and Q, 1e-3 for G): on digits, G at 2e-4 left the
    categorical bound at 0.94 nats (of ln 10 = 2.30) after 2,000 steps, G at 1e-3 reached 2.28 by step 1,000.
    A continuous weight of 0.1 (the paper's "smaller lambda") left the continuous codes unread (the
    bound at chance, -0.79 nats) after 1,500 steps; 1 read them (-0.48, the unit-variance Q's ceiling
    being 2 ln 2 - ln(2 pi) = -0.45 for two codes).
    """

    group_defaults: ClassVar[dict[str, dict[str, Any]]] = {
        **optimizer_defaults(2e-4, (0.5, 0.999)), GENERATOR: {"lr": 1e-3, "betas": (0.5, 0.999)}}

    categorical_weight: float = Field(1.0, ge=0, description="Weight of the categorical code's term (the paper: 1).")
    continuous_weight: float = Field(1.0, ge=0, description="Weight of the continuous codes' term.")

    def information_loss(self, model: InfoGAN, logits: torch.Tensor, z: torch.Tensor) -> dict[str, torch.Tensor]:
        """The weighted negative information bound of fakes made from z (logits: their discriminator outputs)."""
        category, continuous = model.codes_of_latent(z)
        _, categorical_logits, means = model.split_outputs(logits)
        categorical = categorical_code_nll(categorical_logits, category)
        continuous_nll = continuous_code_nll(means, continuous)
        bound_c1, bound_c2 = information_bound(categorical, continuous_nll, model.config.categories,
                                               model.config.continuous)
        return {"information": self.categorical_weight * categorical + self.continuous_weight * continuous_nll,
                "mi_bound_categorical": bound_c1.detach(), "mi_bound_continuous": bound_c2.detach()}

    def discriminator_loss(self, model: InfoGAN, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.discriminator_fakes(model, batch, state)
        real_logits, fake_logits = model.discriminator_logits(batch.x), model.discriminator_logits(fake.x)
        information = self.information_loss(model, fake_logits, fake.latent)
        loss = discriminator_loss(real_logits[:, 0], fake_logits[:, 0]) + information.pop("information")
        return {"loss": loss, **information}

    def generator_loss(self, model: InfoGAN, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.generator_fakes(model, batch, state)
        logits = model.discriminator_logits(fake.x)
        information = self.information_loss(model, logits, fake.latent)
        loss = GENERATOR_LOSSES[self.generator_objective](logits[:, 0]) + information.pop("information")
        return {"loss": loss, **information}
