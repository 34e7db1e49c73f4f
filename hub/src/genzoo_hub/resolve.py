"""``HEAD|GET /{namespace}/{name}/resolve/{revision}/{path}``: file downloads, as the Hub serves them.

The ``huggingface_hub`` client needs, on every answer (HEAD and errors included): ``X-Repo-Commit``
(the resolved commit, which names its cache snapshot), ``ETag`` (the git blob id, which names its
cache blob) and an exact ``Content-Length`` (its consistency check). It resumes interrupted
downloads with ``Range: bytes=N-``, so single ranges are honoured with 206. Bodies are never
compressed, since the client checks sizes against ``Content-Length``.
"""

from __future__ import annotations

import os
from typing import BinaryIO

import anyio
import anyio.lowlevel
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .context import HubContext
from .errors import EntryNotFound, RangeNotSatisfiable
from .validation import validate_path


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(start, end)`` (end exclusive) of a single satisfiable byte range, or None for "whole file".

    Multiple ranges and malformed headers are ignored (RFC 9110 lets a server answer 200 with the
    whole file); a start beyond the end raises 416.
    """
    if not header or size == 0:
        return None
    unit, _, spec = header.partition("=")
    first, dash, last = spec.strip().partition("-")
    if unit.strip().lower() != "bytes" or not dash or not all(part.isdigit() or part == "" for part in (first, last)):
        return None
    if first == "":
        if last == "" or int(last) == 0:
            return None
        return max(0, size - int(last)), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size:
        raise RangeNotSatisfiable(f"range starts at {start} but the file has {size} bytes")
    return (start, end) if end > start else None


STREAM_CHUNK = 512 << 10


class BlobResponse(Response):
    """Streams ``[start, end)`` of an open blob, stopping if the client disconnects.

    Chunks are read on the event loop itself: with ``POSIX_FADV_SEQUENTIAL`` the kernel reads ahead,
    so each 512 KiB ``pread`` is a page-cache copy of about 0.1 ms. Measured on loopback, this was
    both faster and much steadier than a worker-thread hop per chunk (and smaller chunks keep
    asyncio's transport buffer, which Python 3.11 compacts by copying, short).
    """

    def __init__(self, file: BinaryIO, start: int, end: int, status_code: int, headers: dict[str, str]) -> None:
        self.file, self.start, self.end = file, start, end
        self.status_code = status_code
        self.background = None
        self.init_headers({**headers, "Content-Length": str(end - start)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            if scope["method"] == "HEAD" or self.start == self.end:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            async with anyio.create_task_group() as group:

                async def cancel_on_disconnect() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(cancel_on_disconnect)
                await self._stream(send)
                group.cancel_scope.cancel()
        finally:
            self.file.close()

    async def _stream(self, send: Send) -> None:
        fd, offset = self.file.fileno(), self.start
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(fd, self.start, self.end - self.start, os.POSIX_FADV_SEQUENTIAL)
        while offset < self.end:
            chunk = os.pread(fd, min(STREAM_CHUNK, self.end - offset), offset)
            if not chunk:
                raise OSError(f"blob {self.file.name} shrank while being served")
            offset += len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": offset < self.end})
            await anyio.lowlevel.checkpoint()  # uvicorn's send returns at once after a disconnect


async def resolve_file(request: Request, hub: HubContext, params: dict) -> Response:
    path = validate_path("/".join(params["path"]))
    _, commit = await anyio.to_thread.run_sync(
        hub.readable_commit, request, params["namespace"], params["name"], params["revision"]
    )
    entry = commit.files.get(path)
    if entry is None:
        raise EntryNotFound(f"{path!r} does not exist at commit {commit.id}", commit=commit.id)
    headers = {
        "X-Repo-Commit": commit.id,
        "ETag": f'"{entry.oid}"',
        "Accept-Ranges": "bytes",
        "Content-Type": "application/octet-stream",
    }
    range_header = request.headers.get("range") if request.headers.get("if-range") in (None, headers["ETag"]) else None
    try:
        byte_range = parse_range(range_header, entry.size)
    except RangeNotSatisfiable as exc:
        exc.headers.update(
            {"X-Repo-Commit": commit.id, "ETag": headers["ETag"], "Content-Range": f"bytes */{entry.size}"}
        )
        raise
    file = await anyio.to_thread.run_sync(hub.storage.blobs.open, entry)
    if byte_range is None:
        return BlobResponse(file, 0, entry.size, 200, headers)
    start, end = byte_range
    return BlobResponse(file, start, end, 206, {**headers, "Content-Range": f"bytes {start}-{end - 1}/{entry.size}"})
