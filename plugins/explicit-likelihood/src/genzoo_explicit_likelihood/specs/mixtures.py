"""Mixture models: the Gaussian mixture (EM), the variational Bayesian GMM, categorical and Bernoulli mixtures."""

from genzoo import ArchitectureSpec, Capability, MetricSpec, SamplerSpec

PACKAGE = "genzoo_explicit_likelihood"
EM = {"em": f"{PACKAGE}.mixture_fitting:EMStep"}
TOY = {"data": {"shape": (2,), "value_range": None}}


def _mixture(name: str, model: str, trainers: dict[str, str], description: str, tiny: dict,
             paper: str = "") -> ArchitectureSpec:
    """Every mixture samples ancestrally (`generate`) and has an exact log_prob."""
    return ArchitectureSpec(name=name, family="explicit-likelihood", model=f"{PACKAGE}.{model}",
                            capabilities=(Capability.SAMPLE, Capability.LOG_PROB), methods=("generate",),
                            trainers=trainers, description=description, paper=paper, tiny_config=tiny)


ARCHITECTURES: list[ArchitectureSpec] = [
    _mixture("gmm", "gmm:GMM", EM,
             "Gaussian mixture (full, diagonal or spherical covariances) fitted by EM from k-means++ seeds.",
             {**TOY, "components": 3}, paper="https://doi.org/10.1111/j.2517-6161.1977.tb01600.x"),
    _mixture("vbgmm", "vbgmm:VBGMM", {"vb": f"{PACKAGE}.mixture_fitting:VariationalStep"},
             "Variational Bayesian Gaussian mixture (a Dirichlet weight prior switches unneeded components off); "
             "exact posterior predictive density, a mixture of Student-t's.",
             {**TOY, "components": 3}, paper="Bishop, Pattern Recognition and Machine Learning (2006), section 10.2"),
    _mixture("catmix", "categorical_mixture:CategoricalMixture", EM,
             "Mixture of per-pixel categoricals over grey levels (int64 levels view), MAP EM.",
             {"data": {"shape": (3,), "kind": "discrete", "dtype": "int64", "value_range": (0, 4), "levels": 5},
              "components": 2}),
    _mixture("bernoulli-mixture", "categorical_mixture:BernoulliMixture", EM,
             "Mixture of per-pixel Bernoullis for binary images (binarized view), MAP EM.",
             {"data": {"shape": (8,), "kind": "binary", "value_range": (0.0, 1.0), "levels": 2}, "components": 3}),
]
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = [
    MetricSpec(
        name="components", draws_samples=False,
        target=f"{PACKAGE}.mixture_fitting:components_metric",
        description="Mixture components whose (expected) weight is above 1%: how many a variational GMM kept.",
    ),
]
