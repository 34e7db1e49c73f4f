"""MGAN (Hoang et al. 2018): K generators against one discriminator and a classifier that names the generator.

A single generator is a continuous map of one Gaussian, so on data made of separate islands (the
25-grid) it must either drop islands or spend mass on bridges between them. MGAN draws each sample
from one of K generators, chosen uniformly, and adds a classifier C that predicts which generator
made a fake. Generators and C both minimise C's cross-entropy, so the generators are pushed apart
(the paper shows the term maximises the Jensen-Shannon divergence among them), while the GAN term
keeps their mixture on the data:

    J_D   = E[-log D(x)] + E[-log(1 - D(G_k(z)))] + classifier_weight * CE(C(G_k(z)), k)   (D and C)
    J_G   = E[-log D(G_k(z))] + beta * CE(C(G_k(z)), k)                                       (generators)

The paper writes the diversity term as "- beta * E[log C_k(G_k(z))]", which is + beta times the
cross-entropy; its reference code (qhoangdl/MGAN) adds beta * d_mul_loss to the generator loss and
the unweighted cross-entropy to the discriminator's, as here.

Networks. The generators are MLPs sharing every layer but their first, as in the paper (parameter
sharing keeps K generators about as cheap as one); the shared batch norm after the first layer sees
the whole mixed batch. D and C share the discriminator's body: its last layer gives the realness
logit and K classifier logits. The latent is [one-hot generator index | noise], so the truncation
sampler and `generate_from_latent` work unchanged; the generator reads a blended index as its largest
slot (`generator_index`).
"""

from __future__ import annotations

import math

import torch
from pydantic import Field, model_validator
from torch import nn
from torch.nn import functional as F

from genzoo.plugin import Batch

from genzoo_adversarial.base import AdversarialConfig, AdversarialModel, AdversarialStep
from genzoo_adversarial.losses import discriminator_loss, non_saturating_generator_loss
from genzoo_adversarial.noise import normal, uniform


def generator_classification_loss(classifier_logits: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """CE(C(x), k) = -E[log C_k(x)]: the classifier's cross-entropy against the generator that made each fake."""
    return F.cross_entropy(classifier_logits, index)


def generator_index(z: torch.Tensor, generators: int) -> torch.Tensor:
    """Which of the K generators a latent [index slots | noise] goes to: its largest index slot."""
    return z[:, :generators].argmax(dim=1)


def mgan_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, classifier_logits: torch.Tensor,
                            index: torch.Tensor, classifier_weight: float) -> torch.Tensor:
    """The update of D and C (which share a body): Goodfellow's J_D plus the weighted classifier cross-entropy."""
    return (discriminator_loss(real_logits, fake_logits)
            + classifier_weight * generator_classification_loss(classifier_logits, index))


def mgan_generator_loss(fake_logits: torch.Tensor, classifier_logits: torch.Tensor, index: torch.Tensor,
                        beta: float) -> torch.Tensor:
    """The generators' loss: non-saturating E[-log D(G_k(z))] + beta * CE(C(G_k(z)), k) (the diversity term)."""
    return non_saturating_generator_loss(fake_logits) + beta * generator_classification_loss(classifier_logits, index)


class MGANConfig(AdversarialConfig):
    """MLPs on 2-D points; `latent_dim` is each generator's noise width (the one-hot index comes on top)."""

    generators: int = Field(10, ge=2, description="K, the number of generators (each sample from one, uniformly).")

    @model_validator(mode="after")
    def _mlp_only(self):
        if self.network != "mlp":
            raise ValueError("mgan has MLP generators only: set network=mlp")
        if not self.generator_hidden:
            raise ValueError("mgan needs at least one generator hidden layer (each generator's own first layer)")
        if self.pack != 1:
            raise ValueError("mgan's classifier names the generator of each example, so the discriminator cannot "
                             "pack: set pack=1")
        return self


class MultiGenerator(nn.Module):
    """K MLP generators: an affine first layer per generator, every later layer shared.

    Input: [one-hot k | noise] (n, K + noise_dim); each row goes through generator k's first layer only
    (its weights gathered by index), then the shared body.
    """

    def __init__(self, config: MGANConfig):
        super().__init__()
        width, noise_dim = config.generator_hidden[0], config.latent_dim
        bound = 1 / math.sqrt(noise_dim)  # nn.Linear's default initialisation, per generator
        self.first_weight = nn.Parameter(torch.empty(config.generators, noise_dim, width).uniform_(-bound, bound))
        self.first_bias = nn.Parameter(torch.empty(config.generators, width).uniform_(-bound, bound))
        layers: list[nn.Module] = []
        previous = width
        for next_width in (*config.generator_hidden[1:], None):
            if config.generator_batch_norm:
                layers.append(nn.BatchNorm1d(previous))
            layers.append(nn.ReLU())
            layers.append(nn.Linear(previous, next_width or config.data.dim))
            previous = next_width
        self.body = nn.Sequential(*layers)
        self.generators = config.generators
        self.shape = config.data.shape

    def forward(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        index, noise = generator_index(z, self.generators), z[:, self.generators:]
        hidden = torch.bmm(noise.unsqueeze(1), self.first_weight[index]).squeeze(1) + self.first_bias[index]
        return self.body(hidden).reshape(len(z), *self.shape)


class MGAN(AdversarialModel):
    """K generators, a discriminator and a generator classifier sharing its body (see the module docstring)."""

    config_class = MGANConfig

    def __init__(self, config: MGANConfig):
        super().__init__(config)
        self.generator = MultiGenerator(config)  # replaces the base's single MLP generator

    @property
    def discriminator_outputs(self) -> int:
        """Realness, then one classifier logit per generator."""
        return 1 + self.config.generators

    @property
    def latent_dim(self) -> int:
        """[one-hot generator index | noise]."""
        return self.config.generators + self.config.latent_dim

    def latent_from_index(self, index: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        return torch.cat([F.one_hot(index.long(), self.config.generators).to(noise.dtype), noise], dim=1)

    def generator_index(self, z: torch.Tensor) -> torch.Tensor:
        return generator_index(z, self.config.generators)

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """A generator per sample, uniformly (seeded by the caller's generator), and N(0, I) noise."""
        index = (uniform((n,), generator, self.device) * self.config.generators).long()
        noise = normal((n, self.config.latent_dim), generator, self.device)
        return self.latent_from_index(index.clamp_max(self.config.generators - 1), noise)

    def split_outputs(self, logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Discriminator outputs as (realness logits (n,), classifier logits (n, K))."""
        return logits[:, 0], logits[:, 1:]

    def classify_generator(self, x: torch.Tensor) -> torch.Tensor:
        """C(x): logits over the K generators."""
        return self.split_outputs(self.discriminator_logits(x))[1]


class MGANStep(AdversarialStep):
    """Goodfellow's game (non-saturating) with the classifier term; the paper's Adam 2e-4 / 0.5 for both players."""

    beta: float = Field(1.0, ge=0, description="Weight of the diversity term in the generators' loss (reference "
                                               "code default 1).")
    classifier_weight: float = Field(1.0, ge=0, description="Weight of C's cross-entropy in the discriminator "
                                                            "update (reference code: 1).")

    def discriminator_loss(self, model: MGAN, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.discriminator_fakes(model, batch, state)
        real_logits = model.discriminate(batch.x)
        fake_logits, classifier_logits = model.split_outputs(model.discriminator_logits(fake.x))
        index = model.generator_index(fake.latent)
        loss = mgan_discriminator_loss(real_logits, fake_logits, classifier_logits, index, self.classifier_weight)
        return {"loss": loss, "classifier_ce": generator_classification_loss(classifier_logits, index).detach(),
                "classifier_acc": classifier_logits.argmax(1).eq(index).float().mean()}

    def generator_loss(self, model: MGAN, batch: Batch, state) -> dict[str, torch.Tensor]:
        fake = self.generator_fakes(model, batch, state)
        fake_logits, classifier_logits = model.split_outputs(model.discriminator_logits(fake.x))
        index = model.generator_index(fake.latent)
        return {"loss": mgan_generator_loss(fake_logits, classifier_logits, index, self.beta)}
