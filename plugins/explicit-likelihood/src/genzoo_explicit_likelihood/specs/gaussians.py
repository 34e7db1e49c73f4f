"""Gaussian models: the full-covariance baseline and the class-conditional Bayes classifier."""

from genzoo import ArchitectureSpec, Capability, MetricSpec, SamplerSpec

FAMILY = "explicit-likelihood"
PACKAGE = "genzoo_explicit_likelihood"

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="gaussian",
        family=FAMILY,
        model=f"{PACKAGE}.gaussian:Gaussian",
        capabilities=(Capability.SAMPLE, Capability.LOG_PROB),
        methods=("generate",),
        trainers={"nll": f"{PACKAGE}.training:NLLStep"},
        description="Full-covariance Gaussian; the baseline every likelihood is compared with.",
        tiny_config={},
    ),
    ArchitectureSpec(
        name="bayes-gaussian",
        family=FAMILY,
        model=f"{PACKAGE}.bayes_gaussian:BayesGaussian",
        capabilities=(Capability.SAMPLE, Capability.LOG_PROB, Capability.CONDITIONAL),
        methods=("generate",),
        trainers={"closed-form": f"{PACKAGE}.bayes_gaussian:BayesGaussianFit"},
        description="Class-conditional full-covariance Gaussian with a class prior: samples p(x|y) or the "
                    "joint p(y)p(x|y), classifies by Bayes' rule.",
        paper="Friedman 1989, Regularized Discriminant Analysis (the covariance shrinkage)",
        tiny_config={},
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
