"""Mistake 2: the hook is named genzoo_architecture (no s), which pluggy alone would never call."""

from genzoo import ArchitectureSpec, Capability, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_architecture():
    return [ArchitectureSpec(name="faulty-typo", family="faulty-typo", model="genzoo_faulty.flow:FlippedFlow",
                             capabilities=(Capability.SAMPLE, Capability.LOG_PROB), methods=("generate",))]
