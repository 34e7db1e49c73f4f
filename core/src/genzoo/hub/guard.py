"""Distrust the hub: check its URL and its response headers before huggingface_hub acts on them.

huggingface_hub 2.4 names cache files after values the server sends: the blob after the `ETag`
(or `X-Linked-Etag`) header, the snapshot folder after `X-Repo-Commit` or the `sha` of
`/api/models/...`. It does not check them, so a hostile hub (or anyone on a plain-HTTP path to
one) answering `ETag: "../../site-packages/x.pth"` writes a file anywhere the user can write,
before genzoo's sha256 check ever runs. A real hub only sends hex digests there, so genzoo refuses
anything else, in a response hook on huggingface_hub's shared HTTP client that runs before the
client reads the headers.

The hook only looks at responses from the hosts genzoo itself talks to (`guard(endpoint)` adds
the endpoint's host), so other users of huggingface_hub in the same process are left alone; it is
re-attached on every call, so a client factory installed later (`set_client_factory`) is kept.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import threading
from urllib.parse import urlsplit

from genzoo.errors import GenzooError

ALLOW_HTTP_VARIABLE = "GENZOO_ALLOW_HTTP"

# ETag: a git blob sha1 (regular files) or a sha256 (LFS files), optionally quoted, optionally weak.
_ETAG = re.compile(r'(?:W/)?("?)(?:[0-9a-f]{40}|[0-9a-f]{64})\1')
_COMMIT = re.compile(r"[0-9a-f]{40}")

_guarded_hosts: set[str] = set()
_lock = threading.Lock()


class HostileHubError(GenzooError):
    """A hub answered with values that could make the download cache write outside itself."""


def check_endpoint(endpoint: str) -> str:
    """Return a hub URL if genzoo may talk to it, else raise one line saying why and what to do.

    Plain HTTP lets anyone on the path rewrite what the hub sends, so it is refused for hosts
    other than this machine unless GENZOO_ALLOW_HTTP=1 says the network is trusted.
    """
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GenzooError(f"hub {endpoint!r}: expected an http(s)://host[:port] URL or a folder")
    if parts.scheme == "http" and not is_loopback(parts.hostname) and os.environ.get(ALLOW_HTTP_VARIABLE) != "1":
        raise GenzooError(
            f"hub {endpoint!r}: plain HTTP to another machine can be tampered with on the way; use https, "
            f"or set {ALLOW_HTTP_VARIABLE}=1 if this network is trusted"
        )
    return endpoint.rstrip("/")


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (localhost or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def guard(endpoint: str) -> str:
    """Check `endpoint` and make huggingface_hub's shared client refuse malformed answers from it."""
    from httpx2 import URL  # huggingface_hub's HTTP client: the same host:port spelling as in the hook
    from huggingface_hub.utils import get_session

    endpoint = check_endpoint(endpoint)
    with _lock:
        _guarded_hosts.add(URL(endpoint).netloc.decode("ascii"))
        client = get_session()
        hooks = client.event_hooks
        if check_response not in hooks["response"]:
            client.event_hooks = {**hooks, "response": [*hooks["response"], check_response]}
    return endpoint


def check_response(response) -> None:
    """httpx response hook: raise HostileHubError for a cache-steering header or repo sha."""
    url = response.request.url
    if url.netloc.decode("ascii", "replace") not in _guarded_hosts:
        return
    headers = response.headers
    commit = headers.get("X-Repo-Commit")
    if commit is not None and not _COMMIT.fullmatch(commit):
        _refuse(url, "X-Repo-Commit", commit)
    if "/resolve/" in url.path:
        # huggingface_hub uses X-Linked-Etag when present, else ETag: check the one it will use.
        name = "X-Linked-Etag" if "X-Linked-Etag" in headers else "ETag"
        etag = headers.get(name)
        if etag is not None and not _ETAG.fullmatch(etag):
            _refuse(url, name, etag)
    elif response.status_code == 200 and url.path.startswith("/api/models/") and "/tree/" not in url.path:
        # Repo info: snapshot_download names the snapshot folder and a tree cache file after its sha.
        response.read()
        try:
            info = json.loads(response.content)
        except ValueError:
            return  # not JSON: huggingface_hub reports it itself
        sha = info.get("sha") if isinstance(info, dict) else None
        if sha is not None and not (isinstance(sha, str) and _COMMIT.fullmatch(sha)):
            _refuse(url, "repo sha", sha)


def _refuse(url, field: str, value) -> None:
    shown = repr(value)[:80]
    raise HostileHubError(
        f"hub {url.scheme}://{url.netloc.decode('ascii', 'replace')} sent a malformed {field} {shown} for {url.path}; "
        "refusing it (a well-behaved hub sends hex digests there)"
    )
