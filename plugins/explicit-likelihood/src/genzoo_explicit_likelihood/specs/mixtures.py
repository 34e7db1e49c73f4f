"""Mixture models: the Gaussian mixture (EM), the variational Bayesian GMM, categorical and Bernoulli mixtures."""

from genzoo import ArchitectureSpec, Capability, MetricSpec, SamplerSpec

FAMILY = "explicit-likelihood"
PACKAGE = "genzoo_explicit_likelihood"
EM = {"em": f"{PACKAGE}.mixture_fitting:EMStep"}
EXACT = (Capability.SAMPLE, Capability.LOG_PROB)
TOY = {"data": {"shape": (2,), "value_range": None}}

ARCHITECTURES: list[ArchitectureSpec] = [
    ArchitectureSpec(
        name="gmm",
        family=FAMILY,
        model=f"{PACKAGE}.gmm:GMM",
        capabilities=EXACT,
        methods=("generate",),
        trainers=EM,
        description="Gaussian mixture (full, diagonal or spherical covariances) fitted by EM from k-means++ seeds.",
        paper="https://doi.org/10.1111/j.2517-6161.1977.tb01600.x",
        tiny_config={**TOY, "components": 3},
    ),
    ArchitectureSpec(
        name="vbgmm",
        family=FAMILY,
        model=f"{PACKAGE}.vbgmm:VBGMM",
        capabilities=EXACT,
        methods=("generate",),
        trainers={"vb": f"{PACKAGE}.mixture_fitting:VariationalStep"},
        description="Variational Bayesian Gaussian mixture (Dirichlet weight prior switches unneeded components "
                    "off); exact posterior predictive density, a mixture of Student-t's.",
        paper="Bishop, Pattern Recognition and Machine Learning (2006), section 10.2",
        tiny_config={**TOY, "components": 3},
    ),
    ArchitectureSpec(
        name="catmix",
        family=FAMILY,
        model=f"{PACKAGE}.categorical_mixture:CategoricalMixture",
        capabilities=EXACT,
        methods=("generate",),
        trainers=EM,
        description="Mixture of per-pixel categoricals over grey levels (int64 levels view), MAP EM.",
        tiny_config={"data": {"shape": (3,), "kind": "discrete", "dtype": "int64", "value_range": (0, 4),
                              "levels": 5}, "components": 2},
    ),
    ArchitectureSpec(
        name="bernoulli-mixture",
        family=FAMILY,
        model=f"{PACKAGE}.categorical_mixture:BernoulliMixture",
        capabilities=EXACT,
        methods=("generate",),
        trainers=EM,
        description="Mixture of per-pixel Bernoullis for binary images (binarized view), MAP EM.",
        tiny_config={"data": {"shape": (8,), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2},
                     "components": 3},
    ),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = [
    MetricSpec(
        name="components",
        target=f"{PACKAGE}.mixture_fitting:components_metric",
        description="Mixture components whose (expected) weight is above 1%: how many a variational GMM kept.",
    ),
]
