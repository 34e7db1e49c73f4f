"""The genzoo entry point of the explicit-likelihood family."""

from genzoo import ArchitectureSpec, Capability, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_architectures() -> list[ArchitectureSpec]:
    return [
        ArchitectureSpec(
            name="gaussian",
            family="explicit-likelihood",
            model="genzoo_explicit_likelihood.gaussian:Gaussian",
            capabilities=(Capability.SAMPLE, Capability.LOG_PROB),
            methods=("generate",),
            trainers={"nll": "genzoo_explicit_likelihood.training:NLLStep"},
            description="Full-covariance Gaussian; the baseline every likelihood is compared with.",
            tiny_config={},
        )
    ]
