"""A plugin whose hook function lacks @hookimpl: pluggy alone would never call it."""

from genzoo import ArchitectureSpec, Capability

genzoo_hook_api = 2


def genzoo_architectures():
    return [ArchitectureSpec(name="never-seen", family="unmarked", model="unmarked_hook:Nothing",
                             capabilities=(Capability.SAMPLE,))]
