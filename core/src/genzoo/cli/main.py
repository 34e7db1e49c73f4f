"""The `genzoo` command group.

Commands load lazily (an import path per command), so `genzoo --help` and `genzoo list` never
import torch. Every GenzooError becomes one line on stderr and a non-zero exit, and a broken
plugin becomes a one-line warning: no traceback reaches a user for bad input.
"""

from __future__ import annotations

import warnings

import click

from genzoo import __version__
from genzoo.cli.quiet import quiet_huggingface_hub
from genzoo.errors import GenzooError
from genzoo.specs import load_object

BUILTIN_COMMANDS = {
    "list": "genzoo.cli.listing:list_command",
    "datasets": "genzoo.cli.datasets:datasets_command",
    "info": "genzoo.cli.listing:info_command",
    "sample": "genzoo.cli.sample:sample_command",
    "translate": "genzoo.cli.translate:translate_command",
    "plugins": "genzoo.cli.plugins:plugins_command",
    "doctor": "genzoo.cli.plugins:doctor_command",
    "new-plugin": "genzoo.cli.scaffold:new_plugin_command",
    "eval": "genzoo.cli.eval:eval_command",
    "pull": "genzoo.cli.hub:pull_command",
    "push": "genzoo.cli.hub:push_command",
    "publish": "genzoo.cli.publish:publish_command",
    "hub": "genzoo.cli.hub:hub_group",
    "train": "genzoo.cli.train:train_command",
}


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    click.echo(f"genzoo: warning: {message}", err=True)


def load_command(label: str, target: str) -> click.Command | None:
    """Import a command by path; a plugin's command that fails (or exits) on import is a one-line
    warning and None, so it can neither break nor end the CLI."""
    try:
        return load_object(target)
    except (Exception, SystemExit) as error:
        click.echo(f"genzoo: warning: command {label} ({target}) failed to load: {error}", err=True)
        return None


class GenzooGroup(click.Group):
    """A group whose commands are import paths, extended by plugins' `genzoo_commands` hook."""

    def _plugin_commands(self) -> dict[str, str]:
        from genzoo.registry import get_registry

        # A dotted name ("hub.serve") is a subcommand of a built-in group, which attaches it itself.
        return {name: spec.target for name, spec in get_registry().commands.items()
                if name not in BUILTIN_COMMANDS and "." not in name}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(BUILTIN_COMMANDS) + sorted(self._plugin_commands())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = BUILTIN_COMMANDS.get(name) or self._plugin_commands().get(name)
        if target is None:
            return None
        return load_command(repr(name), target)

    def invoke(self, ctx: click.Context):
        with warnings.catch_warnings(), quiet_huggingface_hub():
            warnings.simplefilter("default")
            warnings.showwarning = _one_line_warning
            try:
                return super().invoke(ctx)
            except GenzooError as error:
                click.echo(f"error: {error}", err=True)
                ctx.exit(error.exit_code)
            except OSError as error:
                click.echo(f"error: {error}", err=True)
                ctx.exit(1)


@click.group(cls=GenzooGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="genzoo")
def cli() -> None:
    """genzoo: a zoo of deep generative models. Load by name, sample, encode, score, train, publish."""


def main() -> None:
    cli(prog_name="genzoo")
