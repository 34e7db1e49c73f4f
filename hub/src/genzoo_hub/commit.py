"""``POST /api/models/{namespace}/{name}/commit/{branch}``: the Hub's NDJSON commit endpoint.

The body is one JSON object per line: first ``{"key": "header", "value": {"summary", "description",
"parentCommit"?}}``, then operations: ``file`` (base64 content, decoded as it streams into a temp
blob, see ``ndjson.py``), ``deletedFile`` and ``deletedFolder``. The body is parsed in a worker
thread, about 1 MiB at a time, so a large upload never blocks the event loop. Nothing becomes
visible until every line has been parsed and validated: then the temp blobs are installed and the
storage layer publishes the commit atomically. A rejected or interrupted request leaves the
branch untouched and its temp blobs deleted.
"""

from __future__ import annotations

from functools import partial

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .api import writable_branch
from .blobs import FileEntry, PendingBlob
from .context import HubContext
from .errors import BadRequest, EntryNotFound
from .httputil import base_url, body_chunks, require_media_type
from .ndjson import CommitBodyParser
from .validation import COMMIT_ID_RE, validate_path

MAX_SUMMARY_LENGTH = 4096
MAX_DESCRIPTION_LENGTH = 65536


def _parse_header(value: dict) -> tuple[str, str, str | None]:
    summary, description = value.get("summary"), value.get("description", "")
    parent = value.get("parentCommit")
    if not isinstance(summary, str) or not summary.strip() or len(summary) > MAX_SUMMARY_LENGTH:
        raise BadRequest(f"commit summary must be a non-empty string of at most {MAX_SUMMARY_LENGTH} characters")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION_LENGTH:
        raise BadRequest(f"commit description must be a string of at most {MAX_DESCRIPTION_LENGTH} characters")
    if parent is not None and not (isinstance(parent, str) and COMMIT_ID_RE.fullmatch(parent)):
        raise BadRequest("parentCommit must be a 40-character lowercase hex commit id")
    return summary, description, parent


def _apply(
    files: dict[str, FileEntry], added: dict[str, FileEntry], deleted_files: list[str], deleted_folders: list[str]
) -> dict[str, FileEntry]:
    for path in deleted_files:
        if files.pop(path, None) is None:
            raise EntryNotFound(f"cannot delete {path!r}: A file with this name doesn't exist")
    for folder in deleted_folders:
        inside = [path for path in files if path.startswith(folder + "/")]
        if not inside:
            raise EntryNotFound(f"cannot delete folder {folder!r}: it does not exist")
        for path in inside:
            del files[path]
    files.update(added)
    return files


FEED_BYTES = 1 << 20  # body bytes handed to the parser thread at a time


class _Operations:
    """The header and operations of one commit, validated line by line as the parser finds them."""

    def __init__(self) -> None:
        self.header: tuple[str, str, str | None] | None = None
        self.added: dict[str, PendingBlob] = {}
        self.deleted_files: list[str] = []
        self.deleted_folders: list[str] = []
        self._seen: set[str] = set()

    def __call__(self, number: int, key: str, value: dict, content: PendingBlob | None) -> None:
        if self.header is None:
            if key != "header":
                raise BadRequest("the first line must be the commit header")
            self.header = _parse_header(value)
            return
        if key == "lfsFile":
            raise BadRequest("LFS files are not supported by this server (preupload always answers 'regular')")
        if key not in ("file", "deletedFile", "deletedFolder"):
            raise BadRequest(f"line {number}: unknown operation {key!r}")
        raw_path = value.get("path")
        if key == "deletedFolder" and isinstance(raw_path, str):
            raw_path = raw_path.removesuffix("/")
        path = validate_path(raw_path)
        if path in self._seen:
            raise BadRequest(f"line {number}: {path!r} appears in more than one operation")
        self._seen.add(path)
        if content is not None:
            self.added[path] = content
        elif key == "deletedFile":
            self.deleted_files.append(path)
        else:
            self.deleted_folders.append(path)


async def _parse_body(request: Request, hub: HubContext, parser: CommitBodyParser) -> None:
    batch: list[bytes] = []
    size = 0
    async for chunk in body_chunks(request, hub.max_upload_bytes):
        batch.append(chunk)
        size += len(chunk)
        if size >= FEED_BYTES:
            await anyio.to_thread.run_sync(parser.feed, b"".join(batch))
            batch, size = [], 0
    await anyio.to_thread.run_sync(parser.feed, b"".join(batch))
    parser.close()


def _publish(hub: HubContext, repo_id: str, branch: str, operations: _Operations) -> str:
    summary, description, parent = operations.header
    added = {path: hub.storage.blobs.install(pending) for path, pending in operations.added.items()}
    change = partial(_apply, added=added, deleted_files=operations.deleted_files,
                     deleted_folders=operations.deleted_folders)
    return hub.storage.commit(repo_id, branch, change, message=summary, description=description,
                              expected_parent=parent).id


async def commit(request: Request, hub: HubContext, params: dict) -> Response:
    repo_id, branch = writable_branch(request, hub, params)
    require_media_type(request, "application/x-ndjson")
    await anyio.to_thread.run_sync(hub.storage.resolve, repo_id, branch)  # fail fast, before the body
    operations = _Operations()
    parser = CommitBodyParser(hub.storage.blobs, operations)
    try:
        await _parse_body(request, hub, parser)
        if operations.header is None:
            raise BadRequest("empty commit body: the first line must be the commit header")
        commit_id = await anyio.to_thread.run_sync(_publish, hub, repo_id, branch, operations)
    finally:
        parser.discard()  # temp blobs that were not installed (all of them after a rejection)
    url = f"{base_url(request)}/{repo_id}/commit/{commit_id}"
    return JSONResponse({"success": True, "commitOid": commit_id, "commitUrl": url, "pullRequestUrl": None})
