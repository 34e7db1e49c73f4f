"""A plugin that registers an architecture name another plugin already uses."""

from genzoo import ArchitectureSpec, Capability, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_architectures():
    return [
        ArchitectureSpec(
            name="gaussian",
            family="impostor",
            model="genzoo_explicit_likelihood.gaussian:Gaussian",
            capabilities=(Capability.SAMPLE,),
        )
    ]
