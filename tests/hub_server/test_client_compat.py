"""The unmodified huggingface_hub client against the server: downloads, snapshots, info, uploads."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from huggingface_hub import snapshot_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from genzoo_hub import import_folder

FILES = {
    "config.json": b'{"family": "toy"}',
    "weights/model.safetensors": bytes(range(256)) * 4096,  # 1 MiB
    "README.md": b"---\nlicense: mit\n---\n# toy\n",
}


@pytest.fixture
def imported(hub, source):
    """A public repo genzoo/toy imported before the server started serving it."""
    [(repo_id, commit)] = import_folder(hub.root, source("toy", FILES))
    return repo_id, commit


def test_download_info_refs_and_snapshot(hub, imported, tmp_path):
    repo_id, commit = imported
    assert hub.download(repo_id, "weights/model.safetensors") == FILES["weights/model.safetensors"]
    assert hub.download(repo_id, "config.json", revision=commit) == FILES["config.json"]

    info = hub.api.model_info(repo_id)
    assert info.sha == commit and info.private is False
    assert sorted(s.rfilename for s in info.siblings) == sorted(FILES)

    refs = hub.api.list_repo_refs(repo_id)
    assert [(b.name, b.target_commit) for b in refs.branches] == [("main", commit)]
    assert refs.tags == [] and refs.converts == []

    folder = Path(snapshot_download(repo_id, endpoint=hub.endpoint, cache_dir=tmp_path / "snap", token=False))
    assert folder.name == commit
    assert {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == FILES


def test_git_compatible_ids(hub, imported):
    repo_id, _ = imported
    entries = {e.path: e for e in hub.api.list_repo_tree(repo_id, recursive=True)}
    data = FILES["config.json"]
    assert entries["config.json"].blob_id == hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert entries["weights"].tree_id  # folders are listed, with a git tree id
    assert [e.path for e in hub.api.list_repo_tree(repo_id, path_in_repo="weights")] == ["weights/model.safetensors"]


def test_create_upload_and_old_revision(hub, tmp_path):
    api = hub.api
    url = api.create_repo("team/model", token=hub.write_token)
    assert url.repo_id == "team/model"
    with pytest.raises(Exception, match="409"):
        api.create_repo("team/model", token=hub.write_token)
    assert api.create_repo("team/model", token=hub.write_token, exist_ok=True).repo_id == "team/model"

    folder = tmp_path / "upload"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(b"version 1")
    (folder / "sub" / "b.bin").write_bytes(b"\x00\x01" * 1000)
    (folder / "README.md").write_text("---\nlicense: apache-2.0\n---\nhello\n")
    first = api.upload_folder(repo_id="team/model", folder_path=folder, token=hub.write_token)

    (folder / "a.txt").write_bytes(b"version 2")
    second = api.upload_folder(repo_id="team/model", folder_path=folder, token=hub.write_token)
    assert second.oid != first.oid
    # Unchanged content: the client skips the commit because preupload reports identical oids.
    third = api.upload_folder(repo_id="team/model", folder_path=folder, token=hub.write_token)
    assert third.oid == second.oid

    assert hub.download("team/model", "a.txt") == b"version 2"
    assert hub.download("team/model", "a.txt", revision=first.oid) == b"version 1"
    assert hub.download("team/model", "sub/b.bin", revision=first.oid) == b"\x00\x01" * 1000
    assert api.model_info("team/model", revision=first.oid).sha == first.oid
    assert api.list_repo_refs("team/model").branches[0].target_commit == second.oid


def test_client_error_types(hub, imported):
    repo_id, _ = imported
    with pytest.raises(EntryNotFoundError):
        hub.download(repo_id, "missing.txt")
    with pytest.raises(RevisionNotFoundError):
        hub.download(repo_id, "config.json", revision="no-such-branch")
    with pytest.raises(RevisionNotFoundError):
        hub.download(repo_id, "config.json", revision="0" * 40)
    with pytest.raises(RepositoryNotFoundError):
        hub.download("genzoo/missing", "config.json")
    with pytest.raises(RepositoryNotFoundError):
        hub.api.model_info("genzoo/missing")


def test_private_repo_needs_a_token(hub):
    hub.api.create_repo("team/secret", private=True, token=hub.write_token)
    for token in (False, "not-a-configured-token-xxxx"):
        with pytest.raises(RepositoryNotFoundError):
            hub.api.model_info("team/secret", token=token)
    assert hub.api.model_info("team/secret", token=hub.read_token).private is True


def test_resolve_headers_and_ranges(hub, imported):
    repo_id, commit = imported
    data = FILES["weights/model.safetensors"]
    oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    url = f"{hub.endpoint}/{repo_id}/resolve/main/weights/model.safetensors"
    with httpx.Client() as http:
        head = http.head(url)
        assert head.status_code == 200
        assert head.headers["x-repo-commit"] == commit
        assert head.headers["etag"] == f'"{oid}"'
        assert head.headers["content-length"] == str(len(data))
        assert "content-encoding" not in head.headers

        partial = http.get(url, headers={"Range": "bytes=1000-", "Accept-Encoding": "gzip"})
        assert partial.status_code == 206 and partial.content == data[1000:]
        assert partial.headers["content-range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
        assert "content-encoding" not in partial.headers
        assert http.get(url, headers={"Range": "bytes=-10"}).content == data[-10:]
        assert http.get(url, headers={"Range": "bytes=0-9"}).content == data[:10]
        assert http.get(url, headers={"Range": "bytes=0-1,5-6"}).status_code == 200  # multi-range: whole file

        unsatisfiable = http.get(url, headers={"Range": f"bytes={len(data)}-"})
        assert unsatisfiable.status_code == 416
        assert unsatisfiable.headers["content-range"] == f"bytes */{len(data)}"
        assert unsatisfiable.json()["error"]

        missing = http.head(f"{hub.endpoint}/{repo_id}/resolve/main/nope.bin")
        assert missing.status_code == 404
        assert missing.headers["x-error-code"] == "EntryNotFound"
        assert missing.headers["x-repo-commit"] == commit
        assert int(missing.headers["content-length"]) > 0  # length of the JSON error a GET would return


class CutFirstDownload:
    """ASGI wrapper that breaks the connection of the first file download after 11 MiB."""

    def __init__(self, app) -> None:
        self.app = app
        self.ranges: list[bytes | None] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or "/resolve/" not in scope["path"]:
            return await self.app(scope, receive, send)
        self.ranges.append(dict(scope["headers"]).get(b"range"))
        if len(self.ranges) > 1:
            return await self.app(scope, receive, send)
        sent = 0

        async def cutting_send(message):
            nonlocal sent
            if message["type"] == "http.response.body":
                sent += len(message["body"])
                if sent > 11 << 20:
                    raise ConnectionAbortedError("simulated network failure")
            await send(message)

        await self.app(scope, receive, cutting_send)


def test_client_resumes_interrupted_download_with_range(make_hub, source):
    wrapper = None

    def wrap(app):
        nonlocal wrapper
        wrapper = CutFirstDownload(app)
        return wrapper

    hub = make_hub(wrap=wrap)
    data = hashlib.sha256(b"seed").digest() * (12 * 2**20 // 32)
    [(repo_id, _)] = import_folder(hub.root, source("big", {"big.bin": data}))
    assert hub.download(repo_id, "big.bin") == data
    # The client keeps what it had written (whole 10 MiB read chunks) and asks for the rest.
    assert wrapper.ranges == [None, b"bytes=%d-" % (10 * 2**20)]


def test_abandoned_downloads_release_their_files(hub, source):
    import os
    import socket
    import time

    data = bytes(12 << 20)
    [(repo_id, _)] = import_folder(hub.root, source("big", {"big.bin": data}))
    request = f"GET /{repo_id}/resolve/main/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", hub.port)) as warm:  # first read hashes the blob
        warm.sendall(request)
        warm.recv(1000)
    time.sleep(0.2)
    baseline = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", hub.port)) as sock:
            sock.sendall(request)
            sock.recv(100_000)  # read a little, then hang up
    deadline = time.monotonic() + 5
    while len(os.listdir("/proc/self/fd")) > baseline + 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(os.listdir("/proc/self/fd")) <= baseline + 2
    assert hub.download(repo_id, "big.bin") == data
