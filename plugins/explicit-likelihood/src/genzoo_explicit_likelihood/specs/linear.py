"""The linear-Gaussian latent models: probabilistic PCA and factor analysis."""

from genzoo import ArchitectureSpec, Capability, MetricSpec, SamplerSpec

FAMILY = "explicit-likelihood"
PACKAGE = "genzoo_explicit_likelihood"
CAPABILITIES = (Capability.SAMPLE, Capability.LOG_PROB, Capability.ENCODE, Capability.DECODE)
# decode_output: the latent-variable family's reconstruction and interpolation samplers decode through it.
METHODS = ("generate", "decode_output")
# 2-d data with one factor: small enough for the kit's grid integral of the density.
TINY = {"data": {"shape": (2,), "value_range": None}, "latent_dim": 1}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="ppca",
        family=FAMILY,
        model=f"{PACKAGE}.ppca:PPCA",
        capabilities=CAPABILITIES,
        methods=METHODS,
        trainers={"closed-form": f"{PACKAGE}.ppca:PPCAClosedForm", "em": f"{PACKAGE}.ppca:PPCAEM"},
        description="Probabilistic PCA: N(mu, W W^T + s^2 I), fitted in closed form or by EM; encode gives E[z|x].",
        tiny_config=TINY,
        paper="Tipping & Bishop 1999, Probabilistic Principal Component Analysis",
    ),
    ArchitectureSpec(
        name="fa",
        family=FAMILY,
        model=f"{PACKAGE}.factor_analysis:FactorAnalysis",
        capabilities=CAPABILITIES,
        methods=METHODS,
        trainers={"em": f"{PACKAGE}.factor_analysis:FactorAnalysisEM"},
        description="Factor analysis: N(mu, W W^T + Psi), Psi diagonal, fitted by EM; encode gives E[z|x].",
        tiny_config=TINY,
        paper="Ghahramani & Hinton 1996, The EM Algorithm for Mixtures of Factor Analyzers",
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
