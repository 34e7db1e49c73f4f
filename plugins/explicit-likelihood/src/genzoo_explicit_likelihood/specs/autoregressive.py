"""Autoregressive models: exact likelihoods element by element, naive and cached samplers, completion."""

from genzoo import ArchitectureSpec, Capability, MetricSpec, SamplerSpec

FAMILY = "explicit-likelihood"
PACKAGE = "genzoo_explicit_likelihood"
AR = f"{PACKAGE}.autoregressive"
CAPABILITIES = (Capability.SAMPLE, Capability.LOG_PROB, Capability.COMPLETE)
# What the samplers call: `generate` (core's ancestral), the teacher-forced forward, the incremental step.
NAIVE_METHODS = ("element_log_probs",)
CACHED_METHODS = ("start_cache", "step_logits")
# 8 binary elements: 256 configurations, so the kit sums the whole distribution.
TINY_DATA = {"shape": (1, 2, 4), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="nade",
        family=FAMILY,
        model=f"{AR}.nade:NADE",
        capabilities=CAPABILITIES,
        default_sampler="cached",
        methods=("generate", *NAIVE_METHODS, *CACHED_METHODS),
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="NADE: shared input weights, O(LH) exact likelihood; binary or K-ary elements, raster or "
                    "random fixed order; cached sampling reuses the running hidden pre-activation.",
        paper="Larochelle & Murray 2011, The Neural Autoregressive Distribution Estimator",
        tiny_config={"data": TINY_DATA, "hidden": 5},
    ),
    ArchitectureSpec(
        name="made",
        family=FAMILY,
        model=f"{AR}.made:MADE",
        capabilities=CAPABILITIES,
        default_sampler="naive",
        methods=("generate", *NAIVE_METHODS),
        trainers={"mask-cycling": f"{AR}.made:MaskCyclingStep"},
        description="MADE: masked MLP, one pass for all conditionals; num_masks connectivity-agnostic mask sets "
                    "cycled per minibatch, log_prob the exact likelihood of their mixture.",
        paper="Germain, Gregor, Murray & Larochelle 2015, MADE: Masked Autoencoder for Distribution Estimation",
        tiny_config={"data": TINY_DATA, "hidden": (6,), "num_masks": 2},
    ),
]
SAMPLERS: list[SamplerSpec] = [
    SamplerSpec(
        name="naive",
        target=f"{AR}.sampling:NaiveSampler",
        requires=(Capability.SAMPLE, Capability.COMPLETE),
        methods=NAIVE_METHODS,
        description="Autoregressive sampling with one full forward per element; options temperature, prefix, "
                    "prefix_length. Same draws as `cached` for the same seed.",
    ),
    SamplerSpec(
        name="cached",
        target=f"{AR}.sampling:CachedSampler",
        requires=(Capability.SAMPLE, Capability.COMPLETE),
        methods=CACHED_METHODS,
        description="Autoregressive sampling through the model's incremental cache (one step per element); "
                    "options temperature, prefix, prefix_length. Same draws as `naive` for the same seed.",
    ),
]
METRICS: list[MetricSpec] = []
