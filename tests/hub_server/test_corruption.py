"""A blob damaged on the server's disk is detected (serve-time check and fsck) and never served."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import httpx
import pytest

from genzoo_hub import fsck, import_folder

DATA = bytes(range(256)) * 2048  # 512 KiB


def _blob_path(root, data: bytes):
    sha = hashlib.sha256(data).hexdigest()
    return root / "blobs" / sha[:2] / sha


def _flip_byte(path, *, keep_times: bool) -> None:
    st = path.stat()
    path.chmod(0o644)
    with open(path, "r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0xFF]))
    if keep_times:  # a stealthy edit: same size, same mtime (ctime still changes)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("keep_times", [False, True])
def test_corrupted_blob_is_refused(hub, source, keep_times):
    [(repo_id, commit)] = import_folder(hub.root, source("m", {"w.bin": DATA, "ok.txt": b"fine"}))
    assert hub.download(repo_id, "w.bin") == DATA  # verdict "intact" is now cached
    _flip_byte(_blob_path(hub.root, DATA), keep_times=keep_times)

    url = f"{hub.endpoint}/{repo_id}/resolve/main/w.bin"
    for method in ("HEAD", "GET"):
        response = httpx.request(method, url)
        assert response.status_code == 409
        assert response.headers["x-error-code"] == "DataCorrupted"
        assert "content-length" in response.headers
    assert "integrity" in httpx.get(url).json()["error"]
    with pytest.raises(Exception) as refused:  # the client reports the server's reason in the cause
        hub.download(repo_id, "w.bin")
    assert "integrity check" in str(refused.value.__cause__)
    assert hub.download(repo_id, "ok.txt") == b"fine"  # other files are unaffected

    report = fsck(hub.root)
    assert not report.ok and report.corrupted_blobs == [hashlib.sha256(DATA).hexdigest()]

    # Re-uploading the same content repairs the blob in place of the damaged one.
    body = b"".join(
        json.dumps(line).encode() + b"\n"
        for line in [
            {"key": "header", "value": {"summary": "repair"}},
            {
                "key": "file",
                "value": {"path": "w.bin", "content": base64.b64encode(DATA).decode(), "encoding": "base64"},
            },
        ]
    )
    response = httpx.post(
        f"{hub.endpoint}/api/models/{repo_id}/commit/main",
        content=body,
        headers={"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {hub.write_token}"},
    )
    assert response.status_code == 200
    assert hub.download(repo_id, "w.bin", revision=commit) == DATA
    assert fsck(hub.root).ok


def test_missing_and_truncated_blobs(hub, source):
    [(repo_id, _)] = import_folder(hub.root, source("m", {"a.bin": b"a" * 5000, "b.bin": b"b" * 5000}))
    _blob_path(hub.root, b"a" * 5000).unlink()
    truncated = _blob_path(hub.root, b"b" * 5000)
    truncated.chmod(0o644)
    os.truncate(truncated, 10)
    for name in ("a.bin", "b.bin"):
        response = httpx.get(f"{hub.endpoint}/{repo_id}/resolve/main/{name}")
        assert response.status_code == 409 and response.headers["x-error-code"] == "DataCorrupted"
    report = fsck(hub.root)
    assert len(report.missing_blobs) == 1 and len(report.corrupted_blobs) == 1


def test_corrupted_commit_record(hub, source):
    [(repo_id, commit)] = import_folder(hub.root, source("m", {"a.txt": b"a"}))
    record = hub.root / "repos" / "genzoo" / "m" / "commits" / f"{commit}.json"
    record.chmod(0o644)
    record.write_bytes(record.read_bytes().replace(b'"a.txt"', b'"b.txt"'))
    response = httpx.get(f"{hub.endpoint}/{repo_id}/resolve/{commit}/a.txt")
    assert response.status_code == 409 and response.headers["x-error-code"] == "DataCorrupted"
    assert fsck(hub.root).bad_commits


def test_damaged_refs_are_reported_not_blamed_on_the_client(hub, source):
    [(repo_id, _)] = import_folder(hub.root, source("m", {"a.txt": b"a"}))
    (hub.root / "repos" / "genzoo" / "m" / "refs.json").write_bytes(b'{"branches": ')
    for url in (f"/api/models/{repo_id}", f"/{repo_id}/resolve/main/a.txt", f"/api/models/{repo_id}/refs"):
        response = httpx.get(hub.endpoint + url)
        assert response.status_code == 409 and response.headers["x-error-code"] == "DataCorrupted", url
