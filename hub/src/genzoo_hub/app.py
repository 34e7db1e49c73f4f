"""The ASGI application: one routing table over raw path segments, and a last-resort error guard.

Routing is done here rather than with Starlette path converters because the Hub protocol puts
percent-encoded slashes inside single segments (``refs%2Fpr%2F1``) and paths after them, which
converters would decode before matching. Every failure becomes a JSON ``{"error": ...}`` answer:
:class:`HubError` with its own status, anything unexpected through :class:`GuardMiddleware`, which
logs the traceback and answers 400 (input the handlers failed to reject) or 503/507 (server side),
never 500.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import api, commit, resolve
from .auth import Authorizer
from .context import HubContext
from .errors import (
    BadRequest,
    HubError,
    InsufficientStorage,
    MethodNotAllowed,
    NotFound,
    RootInUse,
    ServerSetupError,
    ServiceUnavailable,
)
from .httputil import error_response, path_segments
from .locks import LockHeld, hold_lock
from .storage import Storage

logger = logging.getLogger("genzoo_hub")

DEFAULT_MAX_UPLOAD_BYTES = 512 << 20

Handler = Callable[[Request, HubContext, dict], Awaitable[Response]]
_REPO = ("{namespace}", "{name}")
ROUTES: list[tuple[frozenset[str], tuple[str, ...], Handler]] = [
    (frozenset({"GET"}), ("api", "whoami-v2"), api.whoami),
    (frozenset({"POST"}), ("api", "validate-yaml"), api.validate_yaml),
    (frozenset({"POST"}), ("api", "repos", "create"), api.create_repo),
    (frozenset({"GET"}), ("api", "models", *_REPO), api.model_info),
    (frozenset({"GET"}), ("api", "models", *_REPO, "revision", "{revision}"), api.model_info),
    (frozenset({"GET"}), ("api", "models", *_REPO, "tree", "{revision}", "{path*}"), api.tree),
    (frozenset({"GET"}), ("api", "models", *_REPO, "refs"), api.refs),
    (frozenset({"POST"}), ("api", "models", *_REPO, "tag", "{revision}"), api.create_tag),
    (frozenset({"POST"}), ("api", "models", *_REPO, "preupload", "{revision}"), api.preupload),
    (frozenset({"POST"}), ("api", "models", *_REPO, "commit", "{revision}"), commit.commit),
    (frozenset({"GET"}), (*_REPO, "resolve", "{revision}", "{path+}"), resolve.resolve_file),
]


def match(pattern: tuple[str, ...], segments: list[str]) -> dict | None:
    """Parameters of ``segments`` under ``pattern``; ``{x*}``/``{x+}`` take the (non-empty) rest."""
    params: dict = {}
    for index, spec in enumerate(pattern):
        if spec.endswith(("*}", "+}")):
            rest = segments[index:]
            if spec.endswith("+}") and not rest:
                return None
            params[spec[1:-2]] = rest
            return params
        if index >= len(segments):
            return None
        if spec.startswith("{"):
            params[spec[1:-1]] = segments[index]
        elif spec != segments[index]:
            return None
    return params if len(segments) == len(pattern) else None


class Dispatcher:
    """ASGI endpoint that accepts every method and answers unknown routes/methods in JSON."""

    def __init__(self, hub: HubContext) -> None:
        self.hub = hub

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._handle(request)
        except HubError as exc:
            response = error_response(exc)
        await response(scope, receive, send)

    async def _handle(self, request: Request) -> Response:
        segments = path_segments(request)
        method = "GET" if request.method == "HEAD" else request.method  # responses drop HEAD bodies
        allowed: set[str] = set()
        for methods, pattern, handler in ROUTES:
            params = match(pattern, segments)
            if params is None:
                continue
            if method in methods:
                return await handler(request, self.hub, params)
            allowed |= methods | ({"HEAD"} if "GET" in methods else set())
        if allowed:
            allow = ", ".join(sorted(allowed))
            raise MethodNotAllowed(f"method {request.method} not allowed", headers={"Allow": allow})
        raise NotFound("no such endpoint")


class GuardMiddleware:
    """Turns exceptions that escaped the handlers into logged JSON answers instead of a bare 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except ClientDisconnect:
            return
        except Exception as exc:
            logger.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # headers are out: the server closes the connection, the client sees a short body
                return
            await error_response(_classify(exc))(scope, receive, send)


async def _unroutable(request: Request, exc: Exception) -> Response:
    """Request targets that do not even start with '/' (e.g. ``GET *``) never reach the dispatcher."""
    return error_response(NotFound("no such endpoint"))


def _classify(exc: Exception) -> HubError:
    if isinstance(exc, (ValueError, LookupError, TypeError, RecursionError)):
        return BadRequest("the request could not be processed")
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InsufficientStorage("the server is out of storage space")
    return ServiceUnavailable("the server failed to process the request; the error was logged")


def create_app(
    root: Path, *, tokens: dict[str, str] | None = None, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
) -> Starlette:
    """Build the hub server app for the storage at ``root`` (created if missing).

    ``tokens`` maps bearer tokens to ``"read"`` or ``"write"``; without tokens the server is
    read-only (public repos only). Takes an exclusive lock on ``root`` for the app's lifetime,
    since crash recovery (run here) must not race another server writing to the same root.
    """
    if max_upload_bytes <= 0:
        raise ServerSetupError("the upload limit must be positive")
    storage = Storage(Path(root))
    try:
        root_lock = hold_lock(storage.root / "server.lock")
    except LockHeld as held:
        who = f"pid {held.pid}" if held.pid else "another process"
        raise RootInUse(
            f"another genzoo hub server ({who}) is using {storage.root}; stop it or use another --root"
        ) from None
    storage.recover()
    hub = HubContext(storage=storage, auth=Authorizer(tokens), max_upload_bytes=max_upload_bytes)
    app = Starlette(
        routes=[Route("/{path:path}", Dispatcher(hub))],
        middleware=[Middleware(GuardMiddleware)],
        exception_handlers={HTTPException: _unroutable},
    )
    app.state.hub = hub
    app.state.root_lock = root_lock
    return app
