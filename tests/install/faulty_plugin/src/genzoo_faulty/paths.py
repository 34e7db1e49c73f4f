"""Mistake 3: the trainer path names a class that does not exist (NLLStep is spelled NllStep)."""

from genzoo import ArchitectureSpec, Capability, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_architectures():
    return [ArchitectureSpec(name="faulty-paths", family="faulty-paths", model="genzoo_faulty.flow:FlippedFlow",
                             capabilities=(Capability.SAMPLE, Capability.LOG_PROB), methods=("generate",),
                             trainers={"nll": "genzoo_faulty.paths:NllStep"})]
