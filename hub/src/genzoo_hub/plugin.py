"""genzoo-hub's contribution to the genzoo CLI: the `serve` subcommand of `genzoo hub`.

A command named `hub.serve` is attached by core's `genzoo hub` group as `genzoo hub serve`
(core keeps the client side, `genzoo hub login`, so `pip install genzoo` stays server-free).
"""

from __future__ import annotations

from genzoo import CommandSpec, hookimpl

genzoo_hook_api = 2


@hookimpl
def genzoo_commands() -> list[CommandSpec]:
    return [
        CommandSpec(
            name="hub.serve",
            target="genzoo_hub.cli:serve_command",
            description="Serve a Hub-compatible API that the unmodified huggingface_hub client can use.",
        )
    ]
