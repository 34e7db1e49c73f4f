"""`genzoo hub serve` (attached to core's `genzoo hub` group by plugin.py) and `python -m genzoo_hub`.

Every setup problem (token file, namespace, a root another server holds, a bad limit) is a
GenzooError, which the genzoo CLI prints as one `error: ...` line with a non-zero exit.
"""

from __future__ import annotations

import math
from pathlib import Path

import click

from .app import DEFAULT_MAX_UPLOAD_BYTES
from .errors import HubError, ServerSetupError
from .guard import DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MIN_BODY_RATE, ConnectionLimits
from .validation import validate_repo_id


def _check_namespace(ctx: click.Context, param: click.Parameter, namespace: str) -> str:
    try:
        validate_repo_id(namespace, "x")
    except HubError:
        raise click.BadParameter(f"{namespace!r} is not a namespace: use letters, digits, '.', '_' or '-'") from None
    return namespace


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """click's FloatRange lets nan and inf through (every comparison with nan is false)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number")
    return value


@click.command("serve")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("hub-data"), show_default=True,
              help="Storage folder (blobs, commits, refs).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--tokens", "token_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File of 'token:read|write' lines (also GENZOO_HUB_TOKENS).")
@click.option("--import", "import_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Publish a folder of repo folders (e.g. registry/) as first commits.")
@click.option("--namespace", default="genzoo", show_default=True, callback=_check_namespace,
              help="Namespace of imported repos.")
@click.option("--import-tag", help="Tag every imported commit, e.g. v0.2.0 (the revision pretrained cards pin).")
@click.option("--max-upload-bytes", type=click.IntRange(1), default=DEFAULT_MAX_UPLOAD_BYTES, show_default=True,
              help="Largest accepted commit body.")
@click.option("--header-timeout", type=click.FloatRange(0, min_open=True), default=DEFAULT_HEADER_TIMEOUT,
              show_default=True, callback=_finite,
              help="Seconds a client has to send complete request headers.")
@click.option("--idle-timeout", type=click.FloatRange(0, min_open=True), default=DEFAULT_IDLE_TIMEOUT,
              show_default=True, callback=_finite,
              help="Window (seconds) over which an upload must keep the minimum rate.")
@click.option("--min-upload-rate", type=click.FloatRange(0), default=DEFAULT_MIN_BODY_RATE, show_default=True,
              callback=_finite,
              help="Bytes per second an upload must average over each window, else it is cut.")
@click.option("--max-connections", type=click.IntRange(1), default=None,
              help="Open connections at most [default: 3/4 of the descriptor limit, up to 4096].")
@click.option("--fsck", is_flag=True, help="Verify every stored commit and blob, print a report, and exit.")
def serve_command(root: Path, host: str, port: int, token_file: Path | None, import_dir: Path | None, namespace: str,
                  import_tag: str | None, max_upload_bytes: int, header_timeout: float, idle_timeout: float,
                  min_upload_rate: float,
                  max_connections: int | None, fsck: bool) -> None:
    """Serve a Hub-compatible API that the unmodified huggingface_hub client can use."""
    from .auth import load_tokens
    from .check import fsck as check_root
    from .runner import serve

    if fsck:
        if not root.is_dir():
            raise ServerSetupError(f"{root} is not a hub storage folder")
        report = check_root(root)
        click.echo(report.summary())
        click.get_current_context().exit(0 if report.ok else 1)
    limits = ConnectionLimits(header_timeout=header_timeout, idle_timeout=idle_timeout,
                              min_body_rate=min_upload_rate, max_connections=max_connections)
    serve(root, host=host, port=port, tokens=load_tokens(token_file), import_dir=import_dir, namespace=namespace,
          import_tag=import_tag, max_upload_bytes=max_upload_bytes, limits=limits)
