"""A plugin whose CLI commands (one top-level, one under `genzoo hub`) live in a module that calls
sys.exit(0) when imported."""

from genzoo import CommandSpec, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_commands():
    return [CommandSpec(name="bye", target="exits_on_import:command"),
            CommandSpec(name="hub.bye", target="exits_on_import:command")]
