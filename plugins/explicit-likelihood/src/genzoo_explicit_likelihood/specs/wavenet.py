"""WaveNet over mu-law levels (`wavenet`) and its 1-D dataset (`tones`). It uses the `naive` and `cached`
samplers registered in `specs.autoregressive`."""

from genzoo import ArchitectureSpec, DatasetSpec, DataSpec, MetricSpec, SamplerSpec

from genzoo_explicit_likelihood.specs.autoregressive import (AR, CACHED_METHODS, CAPABILITIES, FAMILY, NAIVE_METHODS,
                                                             PACKAGE)

TONES_LENGTH, MU_LAW_LEVELS = 1024, 256
# 6 elements of 3 levels: 729 sequences, so the kit sums the whole distribution.
TINY_SIGNAL = {"shape": (6,), "kind": "discrete", "dtype": "int64", "value_range": (0, 2), "levels": 3}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="wavenet",
        family=FAMILY,
        model=f"{AR}.wavenet:WaveNet",
        capabilities=CAPABILITIES,
        default_sampler="cached",
        methods=("generate", *NAIVE_METHODS, *CACHED_METHODS),
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="WaveNet on mu-law levels (the tones dataset by default): stacks of dilated causal "
                    "convolutions (kernel 2, dilations 1..2^(cycle-1)), gated tanh x sigmoid units, residual and "
                    "skip connections, a 256-way softmax; cached sampling through per-layer queues of past "
                    "activations (fast WaveNet), bit-identical to the naive sampler.",
        paper="van den Oord et al. 2016, WaveNet: A Generative Model for Raw Audio; Paine et al. 2016, Fast "
              "Wavenet Generation Algorithm",
        tiny_config={"data": TINY_SIGNAL, "residual_channels": 4, "gate_channels": 4, "skip_channels": 8,
                     "cycle": 2, "stacks": 1},
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
DATASETS: list[DatasetSpec] = [
    DatasetSpec(
        name="tones",
        target=f"{PACKAGE}.signals.dataset:tones",
        description="Seeded multi-tone signals (1-3 decaying sinusoids of 110-880 Hz at 8 kHz plus noise), "
                    "mu-law encoded to 256 levels, sequences of `length` (1,024) samples; generated from fixed "
                    "seeds (train 0, test 1), never downloaded.",
        fields={"x": DataSpec(shape=(TONES_LENGTH,), kind="discrete", dtype="int64",
                              value_range=(0, MU_LAW_LEVELS - 1), levels=MU_LAW_LEVELS)},
        splits={"train": 2048, "test": 256},
    ),
]
