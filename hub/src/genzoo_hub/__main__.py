"""``python -m genzoo_hub --root DIR [...]``: the same options as ``genzoo hub serve``, without the genzoo CLI."""

from __future__ import annotations

import sys

import click

from genzoo import GenzooError

from .cli import serve_command


def main(argv: list[str] | None = None) -> int:
    try:
        serve_command.main(argv, prog_name="python -m genzoo_hub", standalone_mode=False)
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except click.Abort:
        return 1
    except (GenzooError, OSError) as error:
        click.echo(f"error: {error}", err=True)
        return getattr(error, "exit_code", 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
