"""JSON endpoints under ``/api``: repo info, tree listing, refs, repo creation, preupload, whoami.

Field names and shapes follow what ``huggingface_hub`` 2.x parses (``ModelInfo``, ``RepoFile``,
``GitRefs``, ``RepoUrl``). The preupload answer always says ``uploadMode: "regular"``: the client
then sends file bytes inline in the commit and never attempts LFS or Xet transfers, which this
server does not implement. Its ``oid`` is the current git blob id of each path, which lets the
client skip unchanged files.
"""

from __future__ import annotations

import anyio
import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .context import HubContext
from .errors import BadRequest, EntryNotFound, PayloadTooLarge, RepoExists
from .httputil import base_url, error_response, query_flag, read_json
from .storage import DEFAULT_BRANCH, Commit, RepoMeta
from .tree import list_tree
from .validation import validate_branch, validate_path, validate_repo_id

MAX_PREUPLOAD_FILES = 10_000
MAX_README_BYTES = 4 << 20  # the JSON body of /api/validate-yaml (the whole README)
MAX_FRONT_MATTER_BYTES = 256 << 10  # real model cards use a few KiB
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NDJSON_LINE_OVERHEAD = 1024  # JSON wrapping of one base64 "file" line, path included


def _model_info(meta: RepoMeta, commit: Commit) -> dict:
    namespace = meta.repo_id.split("/")[0]
    return {
        "_id": meta.repo_id,
        "id": meta.repo_id,
        "modelId": meta.repo_id,
        "author": namespace,
        "sha": commit.id,
        "lastModified": commit.created_at,
        "createdAt": meta.created_at,
        "private": meta.private,
        "gated": False,
        "disabled": False,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "siblings": [
            {"rfilename": path, "size": entry.size, "blobId": entry.oid} for path, entry in sorted(commit.files.items())
        ],
    }


async def whoami(request: Request, hub: HubContext, params: dict) -> Response:
    role = hub.auth.role(request)
    return JSONResponse(
        {
            "type": "user",
            "name": "genzoo-hub",
            "fullname": "genzoo hub token",
            "orgs": [],
            "auth": {"type": "access_token", "accessToken": {"displayName": f"{role} token", "role": role}},
        }
    )


def _front_matter_errors(content: str) -> list[dict]:
    """Problems with a README's YAML front matter (none if it has none); runs in a worker thread."""
    if not content.startswith("---\n"):
        return []
    front_matter, closed, _ = content[4:].partition("\n---")
    if not closed:
        return [{"message": "metadata must be a YAML mapping between two '---' lines"}]
    if len(front_matter.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER_BYTES:
        raise PayloadTooLarge(f"README metadata over {MAX_FRONT_MATTER_BYTES >> 10} KiB: keep the front matter short")
    try:
        metadata = yaml.load(front_matter, Loader=_SAFE_LOADER)  # safe: plain data only, never objects
    except (yaml.YAMLError, RecursionError) as exc:
        return [{"message": f"invalid YAML metadata: {exc}"[:500]}]
    if not isinstance(metadata, (dict, type(None))):
        return [{"message": "metadata must be a YAML mapping between two '---' lines"}]
    return []


async def validate_yaml(request: Request, hub: HubContext, params: dict) -> Response:
    """Check that a README's front matter is a YAML mapping (what the client asks before a commit).

    Parsing YAML is slow (pure-Python PyYAML took 50 s for 3.9 MB), so the body and the front
    matter are size-limited (413) and parsing runs in a worker thread with the C safe loader.
    """
    hub.auth.require_write(request)
    content = (await read_json(request, MAX_README_BYTES)).get("content")
    if not isinstance(content, str):
        raise BadRequest("'content' must be a string")
    errors = await anyio.to_thread.run_sync(_front_matter_errors, content)
    if errors:
        return error_response(BadRequest(errors[0]["message"]), errors=errors, warnings=[])
    return JSONResponse({"errors": [], "warnings": []})


async def create_repo(request: Request, hub: HubContext, params: dict) -> Response:
    hub.auth.require_write(request)
    body = await read_json(request)
    if body.get("type", "model") not in ("model", None):
        raise BadRequest("this server only hosts model repos")
    if body.get("organization") is None:
        raise BadRequest("repo ids need a namespace: use 'namespace/name'")
    visibility = body.get("visibility")
    if visibility is None:
        private = body.get("private", False)
    elif visibility in ("public", "private"):
        private = visibility == "private"
    else:
        raise BadRequest("visibility must be 'public' or 'private'")
    if not isinstance(private, bool):
        raise BadRequest("'private' must be a boolean")
    repo_id = validate_repo_id(body["organization"], body.get("name"))
    url = f"{base_url(request)}/{repo_id}"
    try:
        await anyio.to_thread.run_sync(lambda: hub.storage.create_repo(repo_id, private=private))
    except RepoExists as exc:
        return error_response(exc, url=url)  # the client's exist_ok path reads the url from a 409
    return JSONResponse({"url": url, "name": repo_id, "id": repo_id})


def _info_sync(request: Request, hub: HubContext, params: dict) -> dict:
    revision = params.get("revision", DEFAULT_BRANCH)
    meta, commit = hub.readable_commit(request, params["namespace"], params["name"], revision)
    return _model_info(meta, commit)


async def model_info(request: Request, hub: HubContext, params: dict) -> Response:
    return JSONResponse(await anyio.to_thread.run_sync(_info_sync, request, hub, params))


def _tree_sync(request: Request, hub: HubContext, params: dict) -> list[dict]:
    _, commit = hub.readable_commit(request, params["namespace"], params["name"], params["revision"])
    directory = "/".join(params["path"])
    if directory:
        validate_path(directory)
    entries = list_tree(commit.files, directory, recursive=query_flag(request, "recursive"))
    if entries is None:
        raise EntryNotFound(f"{directory!r} is not a directory at commit {commit.id}", commit=commit.id)
    return entries


async def tree(request: Request, hub: HubContext, params: dict) -> Response:
    """Whole listing in one page: no ``Link`` header, so the client does not paginate."""
    return JSONResponse(await anyio.to_thread.run_sync(_tree_sync, request, hub, params))


def _refs_sync(request: Request, hub: HubContext, params: dict) -> dict:
    repo_id = hub.readable_repo(request, params["namespace"], params["name"]).repo_id
    branches = [
        {"name": name, "ref": f"refs/heads/{name}", "targetCommit": commit_id}
        for name, commit_id in sorted(hub.storage.branches(repo_id).items())
    ]
    tags = [
        {"name": name, "ref": f"refs/tags/{name}", "targetCommit": commit_id}
        for name, commit_id in sorted(hub.storage.tags(repo_id).items())
    ]
    refs: dict = {"branches": branches, "converts": [], "tags": tags}
    if query_flag(request, "include_prs"):
        refs["pullRequests"] = []
    return refs


async def refs(request: Request, hub: HubContext, params: dict) -> Response:
    return JSONResponse(await anyio.to_thread.run_sync(_refs_sync, request, hub, params))


async def create_tag(request: Request, hub: HubContext, params: dict) -> Response:
    """`HfApi.create_tag`: name the commit `revision` resolves to; 409 when the tag names another."""
    hub.auth.require_write(request)
    repo_id = validate_repo_id(params["namespace"], params["name"])
    tag = (await read_json(request)).get("tag")
    validate_branch(tag)  # the same rules as branch names: no '..', no 40-hex that could shadow a commit
    commit_id = await anyio.to_thread.run_sync(hub.storage.create_tag, repo_id, tag, params["revision"])
    return JSONResponse({"name": tag, "targetCommit": commit_id})


def writable_branch(request: Request, hub: HubContext, params: dict) -> tuple[str, str]:
    """Validated ``(repo_id, branch)`` that this request may commit to (else 4xx)."""
    hub.auth.require_write(request)
    repo_id = validate_repo_id(params["namespace"], params["name"])
    branch = validate_branch(params["revision"])
    if query_flag(request, "create_pr"):
        raise BadRequest("pull requests are not supported by this server")
    return repo_id, branch


async def preupload(request: Request, hub: HubContext, params: dict) -> Response:
    repo_id, branch = writable_branch(request, hub, params)
    files = (await read_json(request)).get("files")
    if not isinstance(files, list) or len(files) > MAX_PREUPLOAD_FILES:
        raise BadRequest(f"'files' must be a list of at most {MAX_PREUPLOAD_FILES} entries")
    for item in files:
        if not isinstance(item, dict):
            raise BadRequest("each file must be an object")
        validate_path(item.get("path"))
        size = item.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BadRequest("'size' must be a non-negative integer")
        if 4 * -(-size // 3) + _NDJSON_LINE_OVERHEAD > hub.max_upload_bytes:
            raise PayloadTooLarge(f"{item['path']!r} ({size} bytes) exceeds the upload limit of this server")
    commit = await anyio.to_thread.run_sync(hub.storage.resolve, repo_id, branch)
    answer = []
    for item in files:
        entry = commit.files.get(item["path"])
        answer.append(
            {
                "path": item["path"],
                "uploadMode": "regular",
                "shouldIgnore": False,
                "oid": entry.oid if entry else None,
            }
        )
    return JSONResponse({"files": answer, "commitOid": commit.id})
