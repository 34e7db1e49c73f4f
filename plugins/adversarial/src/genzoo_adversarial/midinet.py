"""MidiNet (Yang et al. 2017): a convolutional GAN that writes a melody one bar at a time.

The paper's task: monophonic pop melodies (TheoryTab lead sheets, 128 pitches x 16 sixteenths per bar),
each bar generated from noise, the bar's chord (a 13-d vector) and the previous bar (through a conditioner
CNN). Our small analogue: the rule-made C-major melodies of `melodies` (24 pitches x 16 steps, six chords).

Here a sample's condition is its chord's class label (0..5, `CHORDS`); the previous bar is the model's
own last bar, fed back by the `melody` sampler (an all-zero bar before a melody's first). The networks are
in `midinet_networks.py`.

Losses (`MidiNetStep`): the GAN loss of Goodfellow et al. for D; for G the non-saturating loss plus the
paper's feature-matching regulariser (its eq. 3)
    lambda_1 ||E[x] - E[G(z)]||^2 + lambda_2 ||E[f(x)] - E[f(G(z))]||^2,
f = the discriminator's first-layer features, each term written as the authors' code does (TensorFlow's
l2_loss, half the sum of squares, of the batch means), with their weights lambda_1 = 0.01 (the bars
themselves) and lambda_2 = 0.1 (features), and, as in their code, two generator updates per discriminator
update. Fakes are drawn for the real batch's chords and previous bars, so both means compare like with like.

Monophony at sampling (`generate_bar`): the generator's sigmoid gives a probability per pitch and step; at
each step the most probable pitch sounds (the paper's argmax) unless that probability is below
`rest_threshold` (default 0.5), when the step is a rest (our data have rests; the paper's had none).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

import torch
from pydantic import Field, model_validator
from torch import nn

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import Batch

from genzoo_adversarial.base import DISCRIMINATOR, GENERATOR, AdversarialStep, Fakes, Losses, StepState
from genzoo_adversarial.losses import discriminator_loss, non_saturating_generator_loss
from genzoo_adversarial.melodies import BAR_SPEC
from genzoo_adversarial.melody_theory import CHORD_VECTOR_SIZE, CHORDS, MELODY_BARS, PROGRESSIONS, progression_chords
from genzoo_adversarial.midinet_networks import UPSAMPLINGS, Conditioner, Discriminator, Generator
from genzoo_adversarial.noise import normal

DEFAULT_REST_THRESHOLD = 0.5


def mean_matching_loss(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """1/2 ||mean_batch(real) - mean_batch(fake)||^2 (TensorFlow's l2_loss of the difference of batch means)."""
    return 0.5 * (real.mean(dim=0) - fake.mean(dim=0)).pow(2).sum()


def monophonic(probabilities: torch.Tensor, rest_threshold: float) -> torch.Tensor:
    """0/1 bars (n, 1, pitches, steps) sounding, at each step, the most probable pitch, or nothing where that
    pitch's probability is below `rest_threshold` (a tie goes to the higher pitch, the lower row)."""
    best, rows = probabilities.max(dim=2, keepdim=True)
    return torch.zeros_like(probabilities).scatter_(2, rows, (best >= rest_threshold).to(probabilities.dtype))


class MidiNetConfig(ModelConfig):
    """Bar shape and network widths (the paper's, for 128 pitches: z 100, dense 1024, 64 channels, 16 conditioner
    channels, discriminator 14 / 77 channels and 1024 units; ours are smaller for 24 pitches)."""

    data: DataSpec = BAR_SPEC
    latent_dim: int = Field(32, ge=1, description="Dimension of the generator's N(0, I) input z.")
    generator_hidden: int = Field(256, ge=1, description="Width of the generator's first dense layer.")
    generator_channels: int = Field(64, ge=1, description="Channels of the generator's transposed convolutions.")
    conditioner_channels: int = Field(16, ge=1, description="Channels of the previous-bar conditioner CNN.")
    discriminator_channels: tuple[int, int] = Field((16, 64), description="Channels of the discriminator's two "
                                                                          "convolutions (the first gives f).")
    discriminator_hidden: int = Field(256, ge=1, description="Width of the discriminator's dense layer.")

    @property
    def pack(self) -> int:
        """MidiNet's discriminator judges one bar at a time (no PacGAN packing)."""
        return 1

    @model_validator(mode="after")
    def _bars_fit(self):
        shape = self.data.shape
        if len(shape) != 3 or shape[0] != 1 or shape[2] % 2 ** UPSAMPLINGS or shape[2] < 8:
            raise ValueError(f"MidiNet takes bars shaped (1, pitches, steps) with steps a multiple of 8, got {shape}")
        if self.data.num_classes != len(CHORDS):
            raise ValueError(f"MidiNet is conditioned on the {len(CHORDS)} chords of the melodies data: "
                             f"data.num_classes must be {len(CHORDS)}, got {self.data.num_classes}")
        if self.data.kind != "binary" or self.data.value_range != (0.0, 1.0):
            raise ValueError("MidiNet writes binary piano-rolls: data.kind must be binary with value_range (0, 1)")
        if min(self.discriminator_channels) < 1:
            raise ValueError("discriminator_channels must be positive")
        return self


class MidiNet(GenerativeModel):
    """Generator + previous-bar conditioner + chord-conditioned discriminator (see the module docstring)."""

    config_class = MidiNetConfig
    capabilities = frozenset({Capability.SAMPLE, Capability.CONDITIONAL})
    default_sampler = "melody"

    def __init__(self, config: MidiNetConfig):
        super().__init__(config)
        _, pitches, steps = config.data.shape
        self.conditioner = Conditioner(pitches, config.conditioner_channels)
        self.generator = Generator(config.latent_dim, CHORD_VECTOR_SIZE, config.generator_hidden,
                                   config.generator_channels, config.conditioner_channels, pitches, steps)
        self.discriminator = Discriminator(CHORD_VECTOR_SIZE, config.discriminator_channels,
                                           config.discriminator_hidden, pitches, steps)
        # A fixed table (not weights): kept out of the state_dict.
        self.register_buffer("chord_vectors", torch.tensor([chord.vector for chord in CHORDS]), persistent=False)

    def chord(self, labels: torch.Tensor) -> torch.Tensor:
        """The 13-d chord vectors (n, 13) of chord labels (n,)."""
        return self.chord_vectors[labels.long().to(self.chord_vectors.device)]

    def sample_latent(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        return normal((n, self.config.latent_dim), generator, self.device)

    def fake(self, z: torch.Tensor, labels: torch.Tensor, previous: torch.Tensor) -> torch.Tensor:
        """Per pitch and step, the probability G gives it (differentiable; what training uses)."""
        chord = self.chord(labels)
        return torch.sigmoid(self.generator(z, chord, self.conditioner(previous)))

    def discriminate(self, x: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(realness logits (n,), the first layer's features f) of bars x for their chords."""
        return self.discriminator(x, self.chord(labels))

    def generate_bar(self, labels: torch.Tensor, previous: torch.Tensor, *, generator: torch.Generator | None = None,
                     rest_threshold: float = DEFAULT_REST_THRESHOLD) -> torch.Tensor:
        """One monophonic 0/1 bar per chord label, following `previous` (all zeros before a first bar)."""
        z = self.sample_latent(len(labels), generator)
        return monophonic(self.fake(z, labels, previous.to(self.device)), rest_threshold)

    def balanced_condition(self, n: int) -> torch.Tensor:
        """Every progression of the data in turn, one per melody of MELODY_BARS bars (what `genzoo sample` and
        the `melody` sampler use when no chords are given)."""
        melodies = -(-n // MELODY_BARS)
        chords = [progression_chords(k, MELODY_BARS) for k in range(melodies)]
        return torch.tensor(chords, device=self.device).reshape(-1)[:n]


class MidiNetStep(AdversarialStep):
    """D: the GAN loss on real bars and fakes for the same chords and previous bars; G: non-saturating +
    feature matching, `generator_updates` times per discriminator update (see the module docstring)."""

    generator_updates: int = Field(2, ge=1, description="Generator updates per discriminator update (the "
                                                        "authors' code: 2).")
    image_matching_weight: float = Field(0.01, ge=0, description="lambda_1: weight of 1/2 ||E[x] - E[G(z)]||^2.")
    feature_matching_weight: float = Field(0.1, ge=0, description="lambda_2: weight of 1/2 ||E[f(x)] - "
                                                                  "E[f(G(z))]||^2, f = D's first layer.")

    def parameters(self, model: MidiNet, group: str) -> Iterable[nn.Parameter]:
        if group == GENERATOR:  # the conditioner CNN learns with the generator it feeds
            return chain(model.generator.parameters(), model.conditioner.parameters())
        return model.discriminator.parameters()

    def updates(self, step: int) -> Sequence[str]:
        return (DISCRIMINATOR,) * self.n_critic + (GENERATOR,) * self.generator_updates

    def draw_fakes(self, model: MidiNet, batch: Batch) -> Fakes:
        latent = model.sample_latent(len(batch.x))
        return Fakes(model.fake(latent, batch.label, batch["previous"]), latent, batch.label)

    def discriminator_loss(self, model: MidiNet, batch: Batch, state: StepState) -> Losses:
        fake = self.discriminator_fakes(model, batch, state)
        real_logits, _ = model.discriminate(batch.x, batch.label)
        fake_logits, _ = model.discriminate(fake.x, fake.condition)
        return {"loss": discriminator_loss(real_logits, fake_logits),
                "d_real": torch.sigmoid(real_logits).mean().detach(),
                "d_fake": torch.sigmoid(fake_logits).mean().detach()}

    def generator_loss(self, model: MidiNet, batch: Batch, state: StepState) -> Losses:
        fake = self.generator_fakes(model, batch, state)
        fake_logits, fake_features = model.discriminate(fake.x, fake.condition)
        with torch.no_grad():
            _, real_features = model.discriminate(batch.x, batch.label)
        adversarial = non_saturating_generator_loss(fake_logits)
        image = mean_matching_loss(batch.x, fake.x)
        features = mean_matching_loss(real_features, fake_features)
        loss = adversarial + self.image_matching_weight * image + self.feature_matching_weight * features
        return {"loss": loss, "adversarial": adversarial.detach(), "image_matching": image.detach(),
                "feature_matching": features.detach()}
