"""A plugin that prints to stdout on import and in its hook, and parses argv on import."""

import argparse

from genzoo import DatasetSpec, hookimpl

print("noisy plugin: hello from import")
SEEN = argparse.ArgumentParser(prog="noisy").parse_args()  # exits 2 on any argument it does not know

genzoo_hook_api = 2


@hookimpl
def genzoo_datasets():
    print("noisy plugin: hello from a hook")
    return [DatasetSpec(name="noisy-data", target="genzoo.data.toy2d:moons", description="From a noisy plugin.")]
