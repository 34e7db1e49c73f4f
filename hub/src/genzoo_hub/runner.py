"""Blocking entry point: optional import, then uvicorn (behind the slow-client guard) on 127.0.0.1 by default."""

from __future__ import annotations

import logging
import os
import socket

import uvicorn
from genzoo.hub.guard import is_loopback
from starlette.applications import Starlette

from .app import DEFAULT_MAX_UPLOAD_BYTES, create_app
from .errors import ServerSetupError
from .guard import ConnectionLimits, guarded_protocol, raise_descriptor_limit
from .importer import import_folder

logger = logging.getLogger("genzoo_hub")


def uvicorn_config(app: Starlette, *, host: str, port: int, limits: ConnectionLimits,
                   log_level: str = "info") -> uvicorn.Config:
    """How every hub server runs (the CLI, tests, benchmarks): h11 with the guard, no gzip, no Server header."""
    return uvicorn.Config(
        app, host=host, port=port, http=guarded_protocol(limits), server_header=False, log_level=log_level,
        lifespan="off", ws="none", timeout_keep_alive=5, backlog=limits.accept_backlog,
    )


def serve(
    root: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    tokens: dict[str, str] | None = None,
    import_dir: str | os.PathLike[str] | None = None,
    namespace: str = "genzoo",
    import_tag: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    limits: ConnectionLimits | None = None,
) -> None:
    """Serve the storage at ``root`` until interrupted.

    ``tokens`` is used as given (``None``: read-only server); use :func:`load_tokens` to read a
    token file and ``$GENZOO_HUB_TOKENS``. With ``import_dir``, its folders are published first
    (and tagged ``import_tag``, the revision pretrained cards pin).
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(root, tokens=tokens, max_upload_bytes=max_upload_bytes)  # takes the root lock first
    raise_descriptor_limit()
    limits = limits or ConnectionLimits()
    sock = _listen(host, port, limits.accept_backlog)  # a taken port fails before a long import
    if import_dir is not None:
        for repo_id, commit_id in import_folder(root, import_dir, namespace, tag=import_tag):
            logger.info("imported %s at %s", repo_id, commit_id)
    if not is_loopback(host):
        logger.warning("listening on %s: public repos are readable by anyone who can reach it (no TLS)", host)
    if not tokens:
        logger.warning("no tokens configured: the server is read-only")
    logger.info("limits: headers within %.0f s, uploads at least %.0f bytes/s per %.0f s, at most %d connections",
                limits.header_timeout, limits.min_body_rate, limits.idle_timeout, limits.connection_cap)
    uvicorn.Server(uvicorn_config(app, host=host, port=port, limits=limits)).run(sockets=[sock])


def _listen(host: str, port: int, backlog: int) -> socket.socket:
    """Bind here rather than in uvicorn, so that a taken port is one clear error line (not exit 3)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=backlog)
    except OSError as error:
        raise ServerSetupError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
