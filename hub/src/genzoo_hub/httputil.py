"""Request parsing with hard limits, and the one JSON error format every failure uses.

Everything here turns malformed or oversized input into a :class:`HubError` (a 4xx) before a
handler sees it: URL segments are split on the *raw* path and percent-decoded exactly once (so an
encoded ``%2F`` inside a revision stays inside it, as the client intends), and request bodies are
counted while they stream in, so an oversized upload is refused with 413 without being buffered.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.responses import JSONResponse

from .errors import BadRequest, HubError, PayloadTooLarge, UnsupportedMediaType

MAX_JSON_BYTES = 16 << 20
_MAX_HEADER_MESSAGE = 300


def path_segments(request: Request) -> list[str]:
    """Segments of the raw request path, each percent-decoded once and strictly UTF-8."""
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
    parts = raw.split(b"?", 1)[0].split(b"/")
    try:
        return [unquote_to_bytes(part).decode("utf-8") for part in parts[1:]]
    except UnicodeDecodeError:
        raise BadRequest("request path is not valid UTF-8 after percent-decoding") from None


def base_url(request: Request) -> str:
    """``http://host:port`` as the client addressed us: the client parses returned URLs against it."""
    return str(request.base_url).rstrip("/")


def query_flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


def require_media_type(request: Request, expected: str) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != expected:
        raise UnsupportedMediaType(f"expected Content-Type {expected}, got {media_type or 'none'!r}")


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    if not declared.isdigit():
        raise BadRequest("invalid Content-Length header")
    if int(declared) > limit:
        raise PayloadTooLarge(f"request body of {declared} bytes exceeds the limit of {limit} bytes")


async def body_chunks(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The request body as it arrives; 413 as soon as it exceeds ``limit`` (declared or counted)."""
    _check_declared_length(request, limit)
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise PayloadTooLarge(f"request body exceeds the limit of {limit} bytes")
        yield chunk


async def read_json(request: Request, limit: int = MAX_JSON_BYTES) -> dict:
    """Body as a JSON object; requires ``Content-Type: application/json``."""
    require_media_type(request, "application/json")
    body = b"".join([chunk async for chunk in body_chunks(request, limit)])
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise BadRequest("request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("request body must be a JSON object")
    return data


def _header_safe(text: str) -> str:
    printable = "".join(c if " " <= c <= "~" else "?" for c in text)
    return printable[:_MAX_HEADER_MESSAGE]


def error_response(error: HubError, **fields: object) -> JSONResponse:
    """``{"error": message, **fields}`` plus the ``X-Error-Code``/``X-Error-Message`` headers the client reads."""
    message = error.message.encode("utf-8", "backslashreplace").decode("utf-8")
    headers = {"X-Error-Code": error.code, "X-Error-Message": _header_safe(message), **error.headers}
    return JSONResponse({"error": message, **fields}, status_code=error.status, headers=headers)
