"""A plugin whose hook raises."""

from genzoo import hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_architectures():
    raise ValueError("hook exploded")
