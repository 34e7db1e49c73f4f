"""A plugin whose specs point at things that do not exist: only importing the paths catches it."""

from genzoo import ArchitectureSpec, Capability, SamplerSpec, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_architectures():
    return [
        ArchitectureSpec(name="wrong-trainer", family="wrong-paths", model="affine_flow:AffineFlow",
                         capabilities=(Capability.SAMPLE, Capability.LOG_PROB), methods=("generate",),
                         trainers={"sgd": "affine_flow:AffineFlowStep"}),
    ]


@hookimpl
def genzoo_samplers():
    return [SamplerSpec(name="wrong-sampler", target="wrong_paths_missing_module:Sampler",
                        requires=(Capability.SAMPLE,))]
