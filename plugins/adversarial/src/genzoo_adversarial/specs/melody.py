"""MidiNet on rule-made melodies: the architecture, its `melody` sampler, the `melodies` data and the
`melody-rules` metric (import paths only, no torch).
"""

from genzoo import ArchitectureSpec, Capability, DatasetSpec, DataSpec, MetricSpec, SamplerSpec

from genzoo_adversarial.melody_theory import CHORD_NAMES, PITCHES, STEPS  # plain constants, no torch
from genzoo_adversarial.specs import FAMILY, PACKAGE

BAR = DataSpec(shape=(1, PITCHES, STEPS), kind="binary", value_range=(0.0, 1.0), num_classes=len(CHORD_NAMES),
               class_names=CHORD_NAMES)
FIELDS = {"x": BAR, "label": DataSpec.for_labels(len(CHORD_NAMES), CHORD_NAMES),
          "previous": DataSpec(shape=(1, PITCHES, STEPS), kind="binary", value_range=(0.0, 1.0))}
TINY_MIDINET = {"latent_dim": 4, "generator_hidden": 8, "generator_channels": 4, "conditioner_channels": 2,
                "discriminator_channels": (3, 4), "discriminator_hidden": 8}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="midinet", family=FAMILY, model=f"{PACKAGE}.midinet:MidiNet",
        capabilities=(Capability.SAMPLE, Capability.CONDITIONAL), default_sampler="melody",
        methods=("generate_bar", "balanced_condition"), trainers={"midinet": f"{PACKAGE}.midinet:MidiNetStep"},
        description="MidiNet: a convolutional GAN writing a melody bar by bar (piano-roll 1 x 24 pitches x 16 "
                    "steps), conditioned on the bar's chord (13-d vector tiled into every generator layer and the "
                    "discriminator; the class label names the chord) and on the previous bar (a conditioner CNN "
                    "whose maps are injected into the generator's layers); feature-matching regulariser on G "
                    "(step.image_matching_weight=0.01, step.feature_matching_weight=0.1); sampled monophonic "
                    "(argmax pitch per step, a rest below rest_threshold). The paper's task: pop melodies from "
                    "TheoryTab lead sheets (128 pitches); ours: the rule-made C-major `melodies`.",
        paper="Yang, Chou & Yang 2017, MidiNet: A Convolutional Generative Adversarial Network for Symbolic-domain "
              "Music Generation, arXiv:1703.10847",
        tiny_config=TINY_MIDINET),
]
SAMPLERS: list[SamplerSpec] = [
    SamplerSpec(
        name="melody", target=f"{PACKAGE}.melody_sampler:MelodySampler",
        requires=(Capability.SAMPLE, Capability.CONDITIONAL), methods=("generate_bar", "balanced_condition"),
        description="MidiNet's bar-by-bar melodies: n samples = consecutive melodies of --set bars=8 bars, each bar "
                    "fed back as the next one's previous bar; chords from --condition (one label per bar) or every "
                    "progression in turn; --set rest_threshold=0.5.",
        tiny_options={"bars": 3}),
]
DATASETS: list[DatasetSpec] = [
    DatasetSpec(name="melodies", target=f"{PACKAGE}.melodies:melodies",
                description="Rule-made C-major melody bars (1 x 24 pitches x 16 sixteenths, binary piano-roll): "
                            "x = the bar, label = its chord (C Dm Em F G Am), previous = the bar before it; "
                            "2,500 / 250 melodies of 8 bars from 6 pop progressions (option generation_seed).",
                fields=FIELDS, splits={"train": 20_000, "test": 2_000}),
    DatasetSpec(name="melodies-tiny", target=f"{PACKAGE}.melodies:melodies_tiny",
                description="melodies with 8 / 2 melodies (64 / 16 bars), for tests.",
                fields=FIELDS, splits={"train": 64, "test": 16}),
]
METRICS: list[MetricSpec] = [
    MetricSpec(
        name="melody-rules", target=f"{PACKAGE}.melody_rules:melody_rules_metric",
        description="Shares of notes in the scale, strong beats on a chord tone, moves of <= 2 semitones and "
                    "sounding steps, for samples drawn for the test bars' chords and for those real bars (-real)."),
]
