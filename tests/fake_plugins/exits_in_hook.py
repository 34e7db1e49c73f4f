"""A plugin whose hook calls sys.exit(7)."""

import sys

from genzoo import hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_samplers():
    sys.exit(7)
