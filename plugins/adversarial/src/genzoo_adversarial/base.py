"""What every GAN of the family shares: the model base and the two-player training step base.

The contract (conditional GANs, InfoGAN and AnoGAN build on it):

- A GAN model is an `AdversarialModel` (a `genzoo.GenerativeModel`) with two submodules, `generator` and `discriminator`
  (built by `networks.py`), a `latent_dim`, and these methods:
  `sample_latent(n, generator)` draws z ~ N(0, I) from the caller's generator;
  `fake(z, condition)` maps latents through the generator into the DataSpec's value range
  (differentiable: what training uses);
  `generate_from_latent(z, condition)` is `fake` made a valid sample (snapped to the levels of
  discrete data): what samplers and AnoGAN call;
  `generate(n, condition=None, generator=None)` = generate_from_latent(sample_latent(n)), the built-in
  `ancestral` sampler's entry;
  `discriminate(x, condition)` gives one realness logit (or critic score) per pack of `config.pack`
  examples, `discriminator_logits` all `discriminator_outputs` of them (AC-GAN's class logits).
  Conditional subclasses add `Capability.CONDITIONAL` and need `data.num_classes`: both networks
  then see a one-hot label (`label(condition)`).
- Its trainers are `AdversarialStep`s: `groups = ("discriminator", "generator")`, `parameters`
  returning that submodule's parameters, `group_defaults` with DCGAN's Adam (2e-4, betas (0.5, 0.999))
  and `ema: False` for the discriminator (only the generator's weights are worth averaging),
  `updates(step)` giving `n_critic` discriminator updates per generator update, and `after_update` for
  weight clipping. A subclass writes `discriminator_loss` and `generator_loss`, taking its fakes from
  `discriminator_fakes` and `generator_fakes` (which implement `step.fakes=fresh|reuse`); latents come
  from torch's global generator, which the trainer seeds and restores on resume.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Literal, NamedTuple

import torch
from pydantic import Field
from torch import nn
from torch.nn import functional as F

from genzoo import Capability, GenerativeModel
from genzoo.plugin import Batch, CapabilityError, ConfigError, TrainingStep

from genzoo_adversarial.generator_outputs import as_valid_sample, squash_to_range
from genzoo_adversarial.networks import NetworkConfig, build_discriminator, build_generator
from genzoo_adversarial.noise import normal

DISCRIMINATOR, GENERATOR = "discriminator", "generator"
Losses = dict[str, torch.Tensor]  # scalars to log; "loss" is the one minimised
StepState = dict[str, torch.Tensor]
# Where `fakes=reuse` keeps the generator update's fakes in the step state (checkpointed with the run).
KEPT_FAKES = ("kept_fake", "kept_latent", "kept_label")


def optimizer_defaults(lr: float, betas: tuple[float, float]) -> dict[str, dict[str, Any]]:
    """`group_defaults` giving both players Adam with these settings; only the generator is weight-averaged
    when a run keeps an EMA (an averaged discriminator is never used)."""
    return {DISCRIMINATOR: {"lr": lr, "betas": betas, "ema": False}, GENERATOR: {"lr": lr, "betas": betas}}


class AdversarialConfig(NetworkConfig):
    """Networks of a GAN; architectures subclass it to change defaults or add options."""


class AdversarialModel(GenerativeModel):
    """A generator G(z) and a discriminator D(x) (see the module docstring for the contract)."""

    config_class = AdversarialConfig
    capabilities = frozenset({Capability.SAMPLE})
    discriminator_outputs: ClassVar[int] = 1  # logits per pack; AC-GAN adds one per class

    def __init__(self, config: AdversarialConfig):
        super().__init__(config)
        classes = self.num_label_classes
        self.generator = build_generator(config, classes)
        self.discriminator = build_discriminator(config, self.discriminator_outputs, classes)

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    @property
    def num_label_classes(self) -> int:
        """Width of the one-hot label the networks see: the number of classes for conditional models, else 0."""
        return (self.data_spec.num_classes or 0) if self.conditional else 0

    def label(self, condition: torch.Tensor | None) -> torch.Tensor | None:
        """The one-hot label the networks see (None for unconditional models)."""
        if not self.conditional:
            return None
        if condition is None:
            raise CapabilityError(f"{self.name!r} is conditional: pass condition=labels")
        return F.one_hot(condition.long(), self.num_label_classes).to(self.device).float()

    # -- generator side ------------------------------------------------------------------------
    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """z ~ N(0, I), shaped (n, latent_dim), from the caller's generator (torch's default when None)."""
        return normal((n, self.latent_dim), generator, self.device)

    def fake(self, z: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """G(z) in the DataSpec's value range, differentiable: a sigmoid onto [low, high] (DCGAN's tanh output,
        rescaled), unbounded data as the network gives it."""
        return squash_to_range(self.generator(z, self.label(condition)), self.data_spec)

    def generate_from_latent(self, z: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """G(z) as a valid sample: `fake`, snapped to the nearest level for discrete or binary data."""
        return as_valid_sample(self.fake(z, condition), self.data_spec)

    def generate(self, n: int, *, condition: torch.Tensor | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        return self.generate_from_latent(self.sample_latent(n, generator), condition)

    # -- discriminator side --------------------------------------------------------------------
    def discriminator_logits(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """All discriminator outputs, (n // pack, discriminator_outputs)."""
        return self.discriminator(x, self.label(condition))

    def discriminate(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """The realness logit (a critic's score for WGANs) of each pack of examples, (n // pack,)."""
        return self.discriminator_logits(x, condition)[:, 0]


def whole_packs(batch: Batch, pack: int) -> Batch:
    """The batch cut to a multiple of `pack` examples, since a packing discriminator judges whole packs only.

    An epoch's last batch is smaller than the others and may not divide; dropping its remainder (fewer
    than `pack` examples) costs nothing. The first batch of a run (step 0) has the full batch size,
    so a batch size that does not divide by `pack` is refused there instead of being cut every step.
    """
    extra = len(batch.x) % pack
    if not extra:
        return batch
    if batch.step == 0 or len(batch.x) < pack:
        raise ConfigError(f"a batch of {len(batch.x)} examples does not divide into packs of {pack}: pick a batch size "
                          f"that does (train.batch_size)")
    keep = len(batch.x) - extra
    return batch.replace(**{name: values[:keep] for name, values in batch.items()})


class Fakes(NamedTuple):
    """Generated examples with what made them: their latents and the labels they were drawn for (None when the
    model is unconditional)."""

    x: torch.Tensor
    latent: torch.Tensor
    condition: torch.Tensor | None


class AdversarialStep(TrainingStep):
    """Two-player training: `n_critic` discriminator updates, then one generator update, each on its own batch."""

    groups: ClassVar[tuple[str, ...]] = (DISCRIMINATOR, GENERATOR)
    # DCGAN's Adam (Radford et al. 2016), the default of most GAN recipes since.
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = optimizer_defaults(2e-4, (0.5, 0.999))
    # The generator's update needs the gradient of D's output with respect to its input only: D's weight gradients
    # would be thrown away (D's optimizer zeroes them before its own update), so they are not computed, which
    # changes no gradient that is used. A step whose generator loss differentiates D's weights sets this.
    generator_update_needs_discriminator_weights: ClassVar[bool] = False

    n_critic: int = Field(1, ge=1, description="Discriminator updates per generator update.")
    fakes: Literal["fresh", "reuse"] = Field("fresh", description=(
        "The fakes of a discriminator update. fresh: drawn for it. reuse: the first of its n_critic updates takes "
        "the previous generator update's fakes (detached, with their labels and latents), as PyTorch-GAN and most "
        "reference loops do: one generator forward fewer per step, D trains on fakes one generator update old; "
        "the first step, the later critic updates and a batch of another size draw fresh ones."))

    def parameters(self, model: nn.Module, group: str) -> Iterable[nn.Parameter]:
        return getattr(model, group).parameters()

    def updates(self, step: int) -> Sequence[str]:
        return (DISCRIMINATOR,) * self.n_critic + (GENERATOR,)

    def loss(self, model: AdversarialModel, batch: Batch, group: str, state: StepState) -> Losses:
        batch = whole_packs(batch, model.config.pack)
        model.discriminator.requires_grad_(group == DISCRIMINATOR or self.generator_update_needs_discriminator_weights)
        if group == DISCRIMINATOR:
            return self.discriminator_loss(model, batch, state)
        return self.generator_loss(model, batch, state)

    @staticmethod
    def condition(model: AdversarialModel, batch: Batch) -> torch.Tensor | None:
        """The batch's labels for a conditional model (fakes are drawn for the same labels), else None."""
        return batch.label if model.conditional else None

    def draw_fakes(self, model: AdversarialModel, batch: Batch) -> Fakes:
        """As many fresh fakes as the batch has examples, for the batch's labels when the model is conditional."""
        latent = model.sample_latent(len(batch.x))
        condition = self.condition(model, batch)
        return Fakes(model.fake(latent, condition), latent, condition)

    def generator_fakes(self, model: AdversarialModel, batch: Batch, state: StepState) -> Fakes:
        """Fresh fakes with a graph to the generator, for its update; with fakes=reuse they are also kept
        (detached) in `state` for the next discriminator update."""
        fakes = self.draw_fakes(model, batch)
        if self.fakes == "reuse":
            kept = (fakes.x.detach(), fakes.latent.detach(), fakes.condition)
            state.update({key: value for key, value in zip(KEPT_FAKES, kept, strict=True) if value is not None})
        return fakes

    def discriminator_fakes(self, model: AdversarialModel, batch: Batch, state: StepState) -> Fakes:
        """Fakes without a generator graph for a discriminator update: those the last generator update kept when
        there are as many as the batch has examples, else fresh ones. Taking the kept ones out of `state` makes
        the following critic updates of the step draw fresh fakes."""
        fake, latent, condition = (state.pop(key, None) for key in KEPT_FAKES)
        if fake is not None and len(fake) == len(batch.x):
            return Fakes(fake, latent, condition)
        with torch.no_grad():
            return self.draw_fakes(model, batch)

    def discriminator_loss(self, model: AdversarialModel, batch: Batch, state: StepState) -> Losses:
        """Scalars to log, "loss" the discriminator's; fakes are drawn without a generator graph."""
        raise NotImplementedError

    def generator_loss(self, model: AdversarialModel, batch: Batch, state: StepState) -> Losses:
        """Scalars to log, "loss" the generator's (gradients reach the generator through D)."""
        raise NotImplementedError
