"""A plugin whose hook name lacks its final s: pluggy alone would never call it."""

from genzoo import ArchitectureSpec, Capability, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_architecture():
    return [ArchitectureSpec(name="never-seen", family="typo", model="misspelled_hook:Nothing",
                             capabilities=(Capability.SAMPLE,))]
