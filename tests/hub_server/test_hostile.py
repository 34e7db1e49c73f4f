"""Hostile requests sent as raw bytes (no client-side URL normalisation): never 5xx, never a write.

Covers traversal in paths, repo ids and revisions (plain, percent-encoded, double-encoded,
overlong UTF-8, backslashes, NUL), malformed JSON and NDJSON, bad base64, wrong content types,
oversized bodies (declared and chunked), odd methods and headers, plus a hypothesis fuzzer.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genzoo_hub import import_folder

MARKER = f"pwned-{uuid.uuid4().hex[:8]}"
UVICORN_REJECT = b"Invalid HTTP request received."


def raw_request(port: int, method: str, target: bytes, headers=(), body: bytes | None = None, chunked: bool = False):
    """Send one HTTP/1.1 request exactly as given; returns (status, headers, body)."""
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in headers]
    declared = any(name.lower() == "content-length" for name, _ in headers)
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
    elif body is not None and not declared:
        lines.append(b"Content-Length: %d" % len(body))
    payload = b"\r\n".join(lines) + b"\r\n\r\n"
    if body is not None:
        payload += b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if chunked else body
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        try:
            sock.sendall(payload)
        except OSError:
            pass  # the server may answer (413) and close before reading everything
        try:
            while chunk := sock.recv(1 << 16):
                received += chunk
        except ConnectionResetError:
            pass
    head, _, content = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {k.lower(): v for k, v in parsed.items()}, content


@pytest.fixture(scope="module")
def target(module_hub, tmp_path_factory):
    """A public repo with one file, a private repo, and a snapshot of everything outside the root."""
    src = tmp_path_factory.mktemp("hostile-src")
    (src / "target").mkdir()
    (src / "target" / "file.txt").write_bytes(b"safe content")
    [(repo_id, commit)] = import_folder(module_hub.root, src)
    module_hub.api.create_repo("genzoo/private", private=True, token=module_hub.write_token)
    return repo_id, commit


def check(server, method, target_bytes, headers=(), body=None, chunked=False, expect=None):
    status, response_headers, content = raw_request(server.port, method, target_bytes, headers, body, chunked)
    assert status < 500, (method, target_bytes, status, content[:300])
    if content == UVICORN_REJECT:  # refused by uvicorn's HTTP parser; the app never saw it
        assert status == 400
    else:
        assert "content-length" in response_headers, (method, target_bytes)
        if status >= 400 and method != "HEAD":
            assert isinstance(json.loads(content)["error"], str), (target_bytes, content[:300])
    assert b"root:" not in content and b"safe content" not in content or target_bytes.endswith(b"/file.txt")
    if expect is not None:
        expected = expect if isinstance(expect, tuple) else (expect,)
        assert status in expected, (method, target_bytes, body, status, content)
    return status


TRAVERSALS = [
    "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%252e%252e/%252e%252e/etc/passwd", "..\\..\\etc\\passwd",
    "..%5c..%5cetc%5cpasswd", "%00", "a%00b", "file.txt%00.png",
    "/etc/passwd", "%2fetc%2fpasswd", ".", "./file.txt", "sub/./file.txt", "sub//file.txt", "%ff%fe", "%c0%ae%c0%ae/x",
    ".git/config", "..", "%2e", "sub/..", "%", "%zz", "%%32%65%%32%65", "a" * 5000, "%E2%80%AE", f"../{MARKER}",
    "%2E%2E/%2E%2E/" + MARKER, "file.txt/..", "file.txt%2f..%2f..%2f" + MARKER, "\\" + MARKER, "%5c%5c" + MARKER,
]
REPO_IDS = [
    "..%2f..", "%2e%2e/target", "genzoo/..", "genzoo/.hidden", "genzoo/a--b", "genzoo/a..b", "-x/y",
    "genzoo/" + "a" * 200,
    "genzoo%2ftarget", "genzoo/target.git", "gen%20zoo/target", "g%C3%A9nzoo/target", "genzoo/target%00", "%00/%00",
    "genzoo\\target", "genzoo/target%2f..%2f..",
]
REVISIONS = [
    "..", "%2e%2e", "refs%2f..%2f..", "main%00", "-main", "r" * 300, "main.lock", "0" * 39, "G" * 40, "main%2f", "%2f"
]


def test_hostile_urls(module_hub, target):
    repo_id, _ = target
    count = 0
    for method in ("GET", "HEAD"):
        for suffix in TRAVERSALS:
            for prefix in (f"/{repo_id}/resolve/main/", f"/api/models/{repo_id}/tree/main/"):
                check(module_hub, method, (prefix + suffix).encode(), expect=(400, 404))
                count += 1
        for repo in REPO_IDS:
            for path in (f"/{repo}/resolve/main/file.txt", f"/api/models/{repo}", f"/api/models/{repo}/refs"):
                check(module_hub, method, path.encode(), expect=(400, 401, 404, 405))
                count += 1
        for revision in REVISIONS:
            check(module_hub, method, f"/{repo_id}/resolve/{revision}/file.txt".encode(), expect=(400, 404))
            check(module_hub, method, f"/api/models/{repo_id}/revision/{revision}".encode(), expect=(400, 404))
            count += 2
    for raw in (b"/genzoo/target/resolve/main/\x00", b"/genzoo/target/resolve/main/a b", b"/\xff\xfe", b"*", b"//"):
        check(module_hub, "GET", raw)
        count += 1
    assert check(module_hub, "GET", f"/{repo_id}/resolve/main/file.txt".encode()) == 200
    assert count >= 200


def _ndjson(*lines) -> bytes:
    return b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n" for line in lines)


HEADER = {"key": "header", "value": {"summary": "hostile"}}
HOSTILE_PATHS = [
    "../x", "../../" + MARKER, "/abs", "/" + MARKER, "a\\b", "..\\" + MARKER, "a\x00b", "%2e%2e/" + MARKER, "a//b",
    "a/./b", ".git/config", "", ".", "..", "a/", "x/../../" + MARKER, "\u202e", "a\nb", "%252e%252e/x", "\ud800",
    "a" * 2000, 5, None,
]


def _file(path, content=b"x", encoding="base64"):
    return {"key": "file", "value": {"path": path, "content": base64.b64encode(content).decode(), "encoding": encoding}}


def test_hostile_bodies(module_hub, target):
    repo_id, commit = target
    write = ("Authorization", f"Bearer {module_hub.write_token}")
    ndjson = ("Content-Type", "application/x-ndjson")
    as_json = ("Content-Type", "application/json")
    commit_url = f"/api/models/{repo_id}/commit/main".encode()
    cases: list[tuple[bytes, list, bytes | None, object]] = []
    for path in HOSTILE_PATHS:
        cases.append((commit_url, [write, ndjson], _ndjson(HEADER, _file(path)), 400))
        deletion = {"key": "deletedFile", "value": {"path": path}}
        cases.append((commit_url, [write, ndjson], _ndjson(HEADER, deletion), 400))
        preupload = json.dumps({"files": [{"path": path, "size": 1, "sample": ""}]}).encode()
        cases.append((f"/api/models/{repo_id}/preupload/main".encode(), [write, as_json], preupload, 400))
    bad_commits = [
        (_ndjson(_file("a.txt")), 400),  # no header
        (_ndjson(HEADER, b"{not json"), 400),
        (_ndjson(HEADER, b"[1, 2]"), 400),
        (_ndjson(HEADER, b"[" * 100_00 + b"]" * 100_00), 400),
        (_ndjson(HEADER, {"key": "file", "value": "str"}), 400),
        (_ndjson(HEADER, {"key": "mystery", "value": {}}), 400),
        (_ndjson(HEADER, {"key": "lfsFile", "value": {"path": "a", "algo": "sha256", "oid": "0" * 64}}), 400),
        (_ndjson(HEADER, {"key": "file", "value": {"path": "a", "content": "!!!", "encoding": "base64"}}), 400),
        (_ndjson(HEADER, {"key": "file", "value": {"path": "a", "content": "YQ", "encoding": "base64"}}), 400),
        (_ndjson(HEADER, {"key": "file", "value": {"path": "a", "content": "é", "encoding": "base64"}}), 400),
        (_ndjson(HEADER, {"key": "file", "value": {"path": "a", "content": 5, "encoding": "base64"}}), 400),
        (_ndjson(HEADER, _file("a", encoding="utf-8")), 400),
        (_ndjson(HEADER, _file("a"), _file("a")), 400),
        (_ndjson(HEADER, _file("a"), _file("a/b")), 400),  # file/directory clash
        (_ndjson(HEADER, HEADER), 400),
        (_ndjson(HEADER, {"key": "deletedFile", "value": {"path": "missing.txt"}}), 404),
        (_ndjson(HEADER, {"key": "deletedFolder", "value": {"path": "missing/"}}), 404),
        (_ndjson({"key": "header", "value": {"summary": ""}}), 400),
        (_ndjson({"key": "header", "value": {"summary": 5}}), 400),
        (_ndjson({"key": "header", "value": {"summary": "x", "parentCommit": "../.."}}), 400),
        (_ndjson({"key": "header", "value": {"summary": "x", "parentCommit": "0" * 40}}), 412),
        (b"", 400),
        (b"\xff\xfe\x00garbage", 400),
    ]
    cases += [(commit_url, [write, ndjson], body, status) for body, status in bad_commits]
    for content_type in ("application/json", "text/plain", "application/x-ndjson-but-not", ""):
        cases.append((commit_url, [write, ("Content-Type", content_type)], _ndjson(HEADER, _file("a")), 415))
    creates = [
        b"{", b"[]", b"null", b'"str"', json.dumps({"name": "x"}).encode(),
        *(json.dumps({"name": n, "organization": "genzoo"}).encode()
          for n in ["..", ".x", "a--b", "a..b", "x" * 100, "a/b", "a\\b", "", 5, None, "ünï", "x.git", MARKER + "/.."]),
        *(json.dumps({"name": "ok", "organization": o}).encode() for o in ["..", "a b", 5, "-a", "%2e%2e"]),
        json.dumps({"name": "ok2", "organization": "genzoo", "visibility": "secret"}).encode(),
        json.dumps({"name": "ok3", "organization": "genzoo", "private": "yes"}).encode(),
        json.dumps({"name": "ok4", "organization": "genzoo", "type": "dataset"}).encode(),
    ]
    cases += [(b"/api/repos/create", [write, as_json], body, 400) for body in creates]
    cases.append((b"/api/repos/create", [write, ("Content-Type", "text/plain")], b"{}", 415))
    preuploads = [b"{}", b'{"files": 5}', b'{"files": [5]}', b'{"files": [{"path": "a", "size": -1}]}',
                  b'{"files": [{"path": "a", "size": true}]}', b'{"files": [{"path": "a", "size": "1"}]}']
    cases += [(f"/api/models/{repo_id}/preupload/main".encode(), [write, as_json], b, 400) for b in preuploads]
    huge = json.dumps({"files": [{"path": "big", "size": 10**9, "sample": ""}]}).encode()
    cases.append((f"/api/models/{repo_id}/preupload/main".encode(), [write, as_json], huge, 413))
    cases.append((f"/api/models/{repo_id}/preupload/{'0' * 40}".encode(), [write, as_json], b'{"files": []}', 400))
    for card in (b'{"content": "---\\n: : [\\n---\\n"}', b'{"content": "---\\n- a list\\n---\\n"}', b'{"content": 5}'):
        cases.append((b"/api/validate-yaml", [write, as_json], card, 400))

    for url, headers, body, expect in cases:
        check(module_hub, "POST", url, headers, body, expect=expect)
    # Oversized: declared (refused before the body is read) and streamed without a length.
    big = _ndjson(HEADER, _file("big.bin", os.urandom(100_000)))
    check(module_hub, "POST", commit_url, [write, ndjson, ("Content-Length", str(len(big)))], big, expect=413)
    check(module_hub, "POST", commit_url, [write, ndjson], big, chunked=True, expect=413)
    check(module_hub, "POST", b"/api/repos/create", [write, as_json, ("Content-Length", str(1 << 30))], b"", expect=413)
    # Methods and headers.
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "BREW"):
        check(module_hub, method, f"/api/models/{repo_id}".encode(), [write], b"", expect=(405, 400))
    file_url = f"/{repo_id}/resolve/main/file.txt".encode()
    ranges = ("bytes=abc", "bytes=5-2", "bytes=--1", "items=0-1", "bytes=99999999999999999999-", "bytes=-0", "bytes=0-0")
    for value in ranges:
        check(module_hub, "GET", file_url, [("Range", value)], expect=(200, 206, 416))
    for value in ("Bearer", "Bearer ", "bearer \x7f", "Token abc", "Bearer " + "a" * 10_000):
        check(module_hub, "POST", commit_url, [("Authorization", value), ndjson], _ndjson(HEADER), expect=401)
    assert len(cases) >= 100

    # Nothing changed and nothing was written where it should not be.
    assert module_hub.api.model_info(repo_id).sha == commit
    assert sorted(p.name for p in module_hub.root.iterdir()) == ["blobs", "repos", "server.lock", "tmp"]
    assert sorted(p.name for p in (module_hub.root / "repos").iterdir()) == ["genzoo"]
    assert sorted(p.name for p in (module_hub.root / "repos" / "genzoo").iterdir()) == ["private", "target"]
    basetemp = module_hub.root.parents[1]  # all of this session's test directories
    assert not list(basetemp.rglob(f"*{MARKER}*")) and not list(Path("/tmp").glob(f"*{MARKER}*"))


SEGMENTS = st.sampled_from(
    ["genzoo", "target", "resolve", "main", "file.txt", "api", "models", "tree", "refs", "revision", "commit",
     "preupload", "..", ".", "", "%2e%2e", "%2f", "%00", "%", "%zz", "\\", "%5c", "%ff", "%c3%28", "~", "a" * 97,
     MARKER]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(segments=st.lists(SEGMENTS, min_size=1, max_size=8), method=st.sampled_from(["GET", "HEAD", "POST"]),
       body=st.binary(max_size=300), content_type=st.sampled_from(["application/json", "application/x-ndjson", ""]))
def test_fuzzed_requests(module_hub, target, segments, method, body, content_type):
    headers = [("Authorization", f"Bearer {module_hub.write_token}"), ("Content-Type", content_type)]
    check(module_hub, method, ("/" + "/".join(segments)).encode(), headers, body if method == "POST" else None)
