"""Blocking entry point: optional import, then uvicorn on 127.0.0.1 by default."""

from __future__ import annotations

import ipaddress
import logging
import os

import uvicorn

from .app import DEFAULT_MAX_UPLOAD_BYTES, create_app
from .importer import import_folder

logger = logging.getLogger("genzoo.hub.server")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(
    root: str | os.PathLike[str],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    tokens: dict[str, str] | None = None,
    import_dir: str | os.PathLike[str] | None = None,
    namespace: str = "genzoo",
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> None:
    """Serve the storage at ``root`` until interrupted.

    ``tokens`` is used as given (``None``: read-only server); use :func:`load_tokens` to read a
    token file and ``$GENZOO_HUB_TOKENS``. With ``import_dir``, its folders are published first.
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if import_dir is not None:
        for repo_id, commit_id in import_folder(root, import_dir, namespace):
            logger.info("imported %s at %s", repo_id, commit_id)
    app = create_app(root, tokens=tokens, max_upload_bytes=max_upload_bytes)
    if not _is_loopback(host):
        logger.warning("listening on %s: public repos are readable by anyone who can reach it (no TLS)", host)
    if not tokens:
        logger.warning("no tokens configured: the server is read-only")
    uvicorn.run(app, host=host, port=port, server_header=False, log_level="info")
