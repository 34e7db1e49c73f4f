"""`genzoo pull`, `genzoo push` and `genzoo hub serve|login`."""

from __future__ import annotations

import os
from pathlib import Path

import click


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


@click.group("hub")
def hub_group() -> None:
    """Run a self-hosted genzoo hub, or store a token for one."""


@hub_group.command("serve")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("hub-data"), show_default=True,
              help="Storage folder (blobs, commits, refs).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--tokens", "token_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File of 'token:read|write' lines (also GENZOO_HUB_TOKENS).")
@click.option("--import", "import_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Publish a folder of repo folders (e.g. registry/) as first commits.")
@click.option("--namespace", default="genzoo", show_default=True, help="Namespace of imported repos.")
def serve_command(root: Path, host: str, port: int, token_file: Path | None, import_dir: Path | None,
                  namespace: str) -> None:
    """Serve a Hub-compatible API that the unmodified huggingface_hub client can use."""
    try:
        from genzoo.hub.server import load_tokens, serve
    except ImportError as error:
        raise click.ClickException(f"the hub server needs extra packages ({error}): pip install 'genzoo[hub]'") from None
    serve(root, host=host, port=port, tokens=load_tokens(token_file), import_dir=import_dir, namespace=namespace)


@hub_group.command("login")
@click.option("--token", prompt=True, hide_input=True, help="The token to store.")
def login_command(token: str) -> None:
    """Store a token where huggingface_hub (and so genzoo pull/push/load) will find it."""
    from huggingface_hub import constants

    from genzoo.atomic import write_text

    path = Path(constants.HF_TOKEN_PATH)
    write_text(path, token.strip())
    path.chmod(0o600)
    click.echo(f"token stored in {path}")
