"""`genzoo pull`, `genzoo push` and `genzoo hub serve|login`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from genzoo.errors import GenzooError


@click.command("pull")
@click.argument("names", nargs=-1, required=True)
@click.option("--to", "bundle_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write a self-contained bundle here; on an air-gapped machine set GENZOO_HUB to it.")
def pull_command(names: tuple[str, ...], bundle_dir: Path | None) -> None:
    """Prefetch pretrained models (sha256-verified) into the hub cache, or into a bundle with --to."""
    from tqdm import tqdm

    from genzoo.api import _model_spec
    from genzoo.hub import fetch_pretrained, fetch_repo
    from genzoo.hub.publish import bundle
    from genzoo.specs import PretrainedSpec

    for name in tqdm(names, desc="pull", unit="model", disable=len(names) < 2):
        if name.startswith("hf://"):
            folder, target_name = fetch_repo(name), name.removeprefix("hf://").partition("@")[0]
        else:
            spec = _model_spec(name)
            if not isinstance(spec, PretrainedSpec):
                raise click.BadParameter(f"{name!r} is an architecture, not a pretrained model")
            folder, target_name = fetch_pretrained(spec), spec.repo_id
        if bundle_dir is not None:
            folder = bundle(folder, bundle_dir / target_name)
        click.echo(f"{name}: {folder}")


@click.command("push")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("repo_id")
@click.option("--hub", "endpoint", help="Hub URL (default: GENZOO_HUB, HF_ENDPOINT or huggingface.co).")
@click.option("--revision", help="Branch to commit to (default: main).")
@click.option("--private", is_flag=True, help="Create the repo as private.")
@click.option("--token", envvar="HF_TOKEN", help="Write token (default: HF_TOKEN or `genzoo hub login`).")
def push_command(folder: Path, repo_id: str, endpoint: str | None, revision: str | None, private: bool,
                 token: str | None) -> None:
    """Validate a checkpoint FOLDER and upload it to REPO_ID on a hub."""
    from genzoo.hub.publish import push_folder

    configured = os.environ.get("GENZOO_HUB") or os.environ.get("HF_ENDPOINT")
    endpoint = endpoint or (configured if configured and "://" in configured else None)
    commit = push_folder(folder, repo_id, endpoint=endpoint, revision=revision, private=private, token=token)
    click.echo(f"pushed {folder} to {repo_id} at commit {commit}")


class HubGroup(click.Group):
    """`genzoo hub`: `login` (client side, in core) plus subcommands that plugins register as `hub.NAME`.

    The server lives in its own distribution, genzoo-hub, which registers `hub.serve`; without it,
    `genzoo hub serve` says how to install it instead of "no such command".
    """

    def _contributed(self) -> dict[str, str]:
        from genzoo.registry import get_registry

        return {name.removeprefix("hub."): spec.target for name, spec in get_registry().commands.items()
                if name.startswith("hub.")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._contributed(), "serve"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        target = self._contributed().get(name)
        if target is None:
            return _server_missing if name == "serve" else None
        from genzoo.cli.main import load_command

        return load_command(f"'hub {name}'", target)


@click.command("serve", context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
               add_help_option=False)
def _server_missing() -> None:
    """Run a self-hosted hub server (needs the genzoo-hub package)."""
    raise GenzooError("`genzoo hub serve` needs the hub server package: pip install genzoo-hub")


@click.group("hub", cls=HubGroup)
def hub_group() -> None:
    """Run a self-hosted genzoo hub (with genzoo-hub installed), or store a token for one."""


@hub_group.command("login")
@click.option("--token", prompt=True, hide_input=True, help="The token to store.")
def login_command(token: str) -> None:
    """Store a token where huggingface_hub (and so genzoo pull/push/load) will find it.

    The file is created with mode 0600 (owner only) from its first byte, never widened and then
    narrowed: a token must not be readable by other users even for an instant.
    """
    from huggingface_hub import constants

    from genzoo.atomic import write_bytes

    token = token.strip()
    if not token or any(c.isspace() or not c.isprintable() for c in token):
        raise GenzooError("the token must be a non-empty string without spaces or control characters")
    path = Path(constants.HF_TOKEN_PATH)
    write_bytes(path, token.encode("utf-8"), mode=0o600)
    click.echo(f"token stored in {path}")
