"""The flows part of the family: normalizing flows with exact likelihoods."""

from genzoo import ArchitectureSpec, Capability, MetricSpec, SamplerSpec

FAMILY = "explicit-likelihood"
PACKAGE = "genzoo_explicit_likelihood"

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="glow",
        family=FAMILY,
        model=f"{PACKAGE}.glow:Glow",
        capabilities=(Capability.SAMPLE, Capability.LOG_PROB),
        methods=("generate", "generate_tempered"),
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="Glow: multi-scale actnorm, LU 1x1 convolutions and affine couplings on images; "
                    "exact likelihood, sampling at a temperature.",
        tiny_config={"data": {"shape": (1, 4, 4)}, "levels": 1, "steps_per_level": 1, "hidden_channels": 4},
    ),
    ArchitectureSpec(
        name="realnvp",
        family=FAMILY,
        model=f"{PACKAGE}.realnvp:RealNVP",
        capabilities=(Capability.SAMPLE, Capability.LOG_PROB),
        methods=("generate", "generate_tempered"),
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="RealNVP: affine couplings with alternating masks (vectors) or checkerboard and channel masks "
                    "with multi-scale squeezes (images); logit transform for bounded data; exact likelihood.",
        tiny_config={"couplings": 2, "hidden": 8, "hidden_layers": 1},
    ),
]
SAMPLERS: list[SamplerSpec] = [
    SamplerSpec(
        name="temperature",
        target=f"{PACKAGE}.flows.temperature:TemperatureSampler",
        requires=(Capability.SAMPLE,),
        methods=("generate_tempered",),
        description="Invert a flow on base noise scaled by a temperature (Glow samples at 0.7).",
    ),
]
METRICS: list[MetricSpec] = []
