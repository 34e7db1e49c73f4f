"""``POST /api/models/{namespace}/{name}/commit/{branch}``: the Hub's NDJSON commit endpoint.

The body is one JSON object per line: first ``{"key": "header", "value": {"summary", "description",
"parentCommit"?}}``, then operations: ``file`` (base64 content, stored as a blob as soon as its line
arrives), ``deletedFile`` and ``deletedFolder``. Nothing becomes visible until every line has been
parsed and validated and the storage layer publishes the commit atomically; a rejected or
interrupted request leaves the branch untouched (its already-stored blobs are unreferenced).
"""

from __future__ import annotations

import base64
import binascii
import json
from functools import partial

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .api import writable_branch
from .blobs import FileEntry
from .context import HubContext
from .errors import BadRequest, EntryNotFound
from .httputil import base_url, iter_lines, require_media_type
from .validation import COMMIT_ID_RE, validate_path

MAX_SUMMARY_LENGTH = 4096
MAX_DESCRIPTION_LENGTH = 65536


def _parse_line(line: bytes, number: int) -> tuple[str, dict]:
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        raise BadRequest(f"line {number} is not valid JSON") from None
    if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not isinstance(item.get("value"), dict):
        raise BadRequest(f"line {number} must be an object with a string 'key' and an object 'value'")
    return item["key"], item["value"]


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


def _decode_content(value: dict, number: int) -> bytes:
    if value.get("encoding") != "base64":
        raise BadRequest(f"line {number}: only base64-encoded file content is supported")
    content = value.get("content")
    if not isinstance(content, str):
        raise BadRequest(f"line {number}: 'content' must be a string")
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(f"line {number}: 'content' is not valid base64") from None


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


async def commit(request: Request, hub: HubContext, params: dict) -> Response:
    repo_id, branch = writable_branch(request, hub, params)
    require_media_type(request, "application/x-ndjson")
    await anyio.to_thread.run_sync(hub.storage.resolve, repo_id, branch)  # fail fast, before the body
    header: tuple[str, str, str | None] | None = None
    added: dict[str, FileEntry] = {}
    deleted_files: list[str] = []
    deleted_folders: list[str] = []
    seen: set[str] = set()
    number = 0
    async for line in iter_lines(request, hub.max_upload_bytes):
        number += 1
        if not line.strip():
            continue
        key, value = _parse_line(line, number)
        if header is None:
            if key != "header":
                raise BadRequest("the first line must be the commit header")
            header = _parse_header(value)
            continue
        if key == "lfsFile":
            raise BadRequest("LFS files are not supported by this server (preupload always answers 'regular')")
        if key not in ("file", "deletedFile", "deletedFolder"):
            raise BadRequest(f"line {number}: unknown operation {key!r}")
        raw_path = value.get("path")
        if key == "deletedFolder" and isinstance(raw_path, str):
            raw_path = raw_path.removesuffix("/")
        path = validate_path(raw_path)
        if path in seen:
            raise BadRequest(f"line {number}: {path!r} appears in more than one operation")
        seen.add(path)
        if key == "file":
            added[path] = await anyio.to_thread.run_sync(hub.storage.blobs.put_bytes, _decode_content(value, number))
        elif key == "deletedFile":
            deleted_files.append(path)
        else:
            deleted_folders.append(path)
    if header is None:
        raise BadRequest("empty commit body: the first line must be the commit header")
    summary, description, parent = header
    result = await anyio.to_thread.run_sync(
        partial(
            hub.storage.commit,
            repo_id,
            branch,
            partial(_apply, added=added, deleted_files=deleted_files, deleted_folders=deleted_folders),
            message=summary,
            description=description,
            expected_parent=parent,
        )
    )
    url = f"{base_url(request)}/{repo_id}/commit/{result.id}"
    return JSONResponse({"success": True, "commitOid": result.id, "commitUrl": url, "pullRequestUrl": None})
