"""The streaming NDJSON commit parser, the commit endpoint on top of it, and blob collection.

Hand-computed references: ``aGVsbG8gd29ybGQ=`` is base64 for ``hello world``, whose sha256 is
b94d27b9...cde9 and whose git blob id (``git hash-object``) is 95d09f2b...df4f.
"""

from __future__ import annotations

import base64
import hashlib
import json
import tracemalloc

import httpx
import pytest

from genzoo_hub import create_app, import_folder
from genzoo_hub import ndjson as ndjson_module
from genzoo_hub.errors import BadRequest
from genzoo_hub.ndjson import CommitBodyParser, content_offset
from genzoo_hub.storage import Storage

HELLO_SHA256 = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
HELLO_OID = "95d09f2b10159347eece71399a7e2e907ea3df4f"
HEADER = b'{"key": "header", "value": {"summary": "s"}}\n'


def parse(storage: Storage, body: bytes, chunk: int | None = None) -> list[tuple]:
    """(number, key, value, entry or None) for each line, feeding ``body`` ``chunk`` bytes at a time."""
    seen: list[tuple] = []
    parser = CommitBodyParser(storage.blobs, lambda *operation: seen.append(operation))
    try:
        step = chunk or len(body) or 1
        for start in range(0, len(body), step):
            parser.feed(body[start : start + step])
        parser.close()
        return [(n, key, value, pending and pending.entry) for n, key, value, pending in seen]
    finally:
        parser.discard()
        assert not list(storage.blobs.tmp_dir.iterdir()), "temp blobs were left behind"


def file_line(content: str, path: str = "a.txt", order: str = "key-first") -> bytes:
    if order == "key-first":
        item = {"key": "file", "value": {"path": path, "encoding": "base64", "content": content}}
    else:  # value before key, content before path: any member order is valid JSON
        item = {"value": {"content": content, "encoding": "base64", "path": path}, "key": "file"}
    return json.dumps(item).encode() + b"\n"


@pytest.fixture
def storage(tmp_path):
    return Storage(tmp_path)


@pytest.mark.parametrize("short_line", [1 << 16, 8])  # 8: every file line takes the streaming path
@pytest.mark.parametrize("order", ["key-first", "value-first"])
def test_hello_world_at_every_chunk_size(storage, monkeypatch, short_line, order):
    monkeypatch.setattr(ndjson_module, "STREAM_AFTER_BYTES", short_line)
    body = HEADER + file_line("aGVsbG8gd29ybGQ=", order=order) + b'{"key": "deletedFile", "value": {"path": "b"}}'
    for chunk in (1, 2, 3, 5, 7, 64, None):
        operations = parse(storage, body, chunk)
        assert [(n, key) for n, key, _, _ in operations] == [(1, "header"), (2, "file"), (3, "deletedFile")]
        entry = operations[1][3]
        assert (entry.sha256, entry.size, entry.oid) == (HELLO_SHA256, 11, HELLO_OID)
        assert operations[2][2] == {"path": "b"}


def test_empty_and_padded_contents(storage, monkeypatch):
    monkeypatch.setattr(ndjson_module, "STREAM_AFTER_BYTES", 8)
    for content, expected in (("", b""), ("QQ==", b"A"), ("QUI=", b"AB"), ("QUJD", b"ABC")):
        [_, (_, _, _, entry)] = parse(storage, HEADER + file_line(content, path="p" * 20), chunk=3)
        assert (entry.size, entry.sha256) == (len(expected), hashlib.sha256(expected).hexdigest())


@pytest.mark.parametrize("short_line", [1 << 16, 8])
@pytest.mark.parametrize(
    "line, message",
    [
        (file_line("aGVsbG8gd29ybGQ"), "base64"),  # truncated
        (file_line("QQ==QQ=="), "base64"),  # data after padding
        (file_line("aGVs\\/G8gd29ybGQ="), "base64|JSON"),  # a JSON escape inside the content
        (file_line("aGVs*G8gd29ybGQ="), "base64"),
        (b'{"key": "file", "value": {"path": "a", "encoding": "base64", "content": "QUJD", "content": ""}}\n',
         "repeats"),
        (b'{"key": "file", "value": {"path": "a", "encoding": "hex", "content": "QUJDQUJDQUJD"}}\n', "base64"),
        (b'{"key": "file", "value": {"path": "a", "encoding": "base64", "content": "QUJDQUJDQUJD"', "ends inside|JSON"),
    ],
)
def test_malformed_file_lines_are_refused_and_leave_nothing(storage, monkeypatch, short_line, line, message):
    monkeypatch.setattr(ndjson_module, "STREAM_AFTER_BYTES", short_line)
    for chunk in (1, 4, None):
        with pytest.raises(BadRequest, match=message):
            parse(storage, HEADER + line, chunk)
    assert not list(storage.blobs.iter_stored())


def test_only_file_lines_may_stream_content(storage, monkeypatch):
    monkeypatch.setattr(ndjson_module, "STREAM_AFTER_BYTES", 8)
    with pytest.raises(BadRequest, match="only 'file'"):
        parse(storage, HEADER + b'{"key": "deletedFile", "value": {"path": "a", "content": "QUJDQUJDQUJD"}}\n', 4)


def test_content_must_be_the_value_members_string():
    prefix = b'{"key": "file", "value": {"path": "a", "content": "QUJD'
    assert content_offset(prefix) == len(prefix) - len(b'"QUJD')
    assert content_offset(b'{"value":{"content":"QUJD') == 20
    for prefix in (
        b'{"key": "file", "content": "QUJD',  # not inside "value"
        b'{"key": "file", "value": {"x": {"content": "QUJD',  # one level too deep
        b'{"key": "file", "value": {"path": "a" "content": "QUJD',  # missing comma
        b'["key", "value", "content", "QUJD',
        b'{"key": "file", "value": {"path": "' + b"a" * 100,  # a member that does not end in the prefix
    ):
        assert content_offset(prefix) is None, prefix


def test_a_long_line_that_is_not_a_file_is_refused(storage, monkeypatch):
    monkeypatch.setattr(ndjson_module, "MAX_LINE_HEAD_BYTES", 64)
    monkeypatch.setattr(ndjson_module, "STREAM_AFTER_BYTES", 64)
    with pytest.raises(BadRequest, match="must be 'file' operations"):
        parse(storage, HEADER + b'{"key": "deletedFile", "value": {"path": "' + b"a" * 200 + b'"}}\n', chunk=16)


def test_memory_stays_flat_while_a_large_file_streams(storage):
    data = bytes(range(256)) * (32 << 10)  # 8 MiB
    body = HEADER + file_line(base64.b64encode(data).decode())
    tracemalloc.start()
    try:
        operations = parse_from_chunks(storage, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert operations[1][3].size == len(data)
    # Buffering the line, json.loads and b64decode held about 30 MiB here; streaming holds a few 1 MiB pieces.
    assert peak < 8 << 20, f"peak {peak / 2**20:.1f} MiB while parsing a 10.7 MiB body"


def parse_from_chunks(storage, body: bytes) -> list[tuple]:
    """Like the endpoint: 1 MiB pieces of a body that is not itself held by the parser."""
    seen: list[tuple] = []
    parser = CommitBodyParser(storage.blobs, lambda *operation: seen.append(operation))
    view = memoryview(body)
    for start in range(0, len(body), 1 << 20):
        parser.feed(bytes(view[start : start + (1 << 20)]))
    parser.close()
    return [(n, key, value, pending and pending.entry) for n, key, value, pending in seen]


def commit_body(*lines: bytes) -> bytes:
    return HEADER + b"".join(lines)


def post_commit(hub, repo_id: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{hub.endpoint}/api/models/{repo_id}/commit/main", content=body, timeout=30,
        headers={"Authorization": f"Bearer {hub.write_token}", "Content-Type": "application/x-ndjson"},
    )


def test_large_upload_through_the_real_client(hub, tmp_path):
    data = bytes(range(256)) * (12 << 10)  # 3 MiB: streamed, over 1 MiB feeds
    (tmp_path / "big.bin").write_bytes(data)
    hub.api.create_repo("me/big", token=hub.write_token)
    hub.api.upload_file(path_or_fileobj=str(tmp_path / "big.bin"), path_in_repo="big.bin", repo_id="me/big",
                        token=hub.write_token)
    assert hub.download("me/big", "big.bin") == data


def test_a_rejected_commit_stores_nothing(hub):
    hub.api.create_repo("me/r", token=hub.write_token)
    before = set(hub.app.state.hub.storage.blobs.iter_stored())
    content = base64.b64encode(b"x" * 300_000).decode()  # a streamed line, then a bad one
    response = post_commit(hub, "me/r", commit_body(file_line(content), b'{"key": "nonsense", "value": {}}\n'))
    assert response.status_code == 400 and "unknown operation" in response.json()["error"]
    assert set(hub.app.state.hub.storage.blobs.iter_stored()) == before
    assert not list(hub.app.state.hub.storage.blobs.tmp_dir.iterdir())


def test_orphan_blobs_are_collected_at_start(tmp_path, source):
    [(repo_id, _)] = import_folder(tmp_path / "root", source("kept", {"a.txt": b"kept"}))
    storage = Storage(tmp_path / "root")
    orphan = storage.blobs.put_bytes(b"left by a rejected commit of an older server")
    (storage.blobs.directory / "ab").mkdir(exist_ok=True)
    (storage.blobs.directory / "ab" / "not-a-blob").write_bytes(b"")  # foreign files are left alone
    create_app(tmp_path / "root").state.root_lock.close()
    assert not storage.blobs.path(orphan.sha256).exists()
    assert (storage.blobs.directory / "ab" / "not-a-blob").exists()
    assert storage.resolve(repo_id, "main").files["a.txt"].size == 4
    assert [sha for sha in storage.blobs.iter_stored()] == [storage.resolve(repo_id, "main").files["a.txt"].sha256]


def test_no_collection_when_a_commit_record_is_unreadable(tmp_path, source):
    [(repo_id, commit)] = import_folder(tmp_path / "root", source("kept", {"a.txt": b"kept"}))
    storage = Storage(tmp_path / "root")
    orphan = storage.blobs.put_bytes(b"maybe referenced by the damaged record")
    record = tmp_path / "root" / "repos" / "genzoo" / "kept" / "commits" / f"{commit}.json"
    record.chmod(0o644)
    record.write_bytes(b"{damaged")
    assert storage.collect_blobs() == 0
    assert storage.blobs.path(orphan.sha256).exists()


def test_validate_yaml_limits(hub):
    def validate(content: str) -> httpx.Response:
        return httpx.post(f"{hub.endpoint}/api/validate-yaml", json={"content": content, "repoType": "model"},
                          headers={"Authorization": f"Bearer {hub.write_token}"}, timeout=30)

    assert validate("---\nlicense: mit\n---\nhello").json() == {"errors": [], "warnings": []}
    assert validate("---\n- a list\n---\n").status_code == 400
    assert "invalid YAML" in validate("---\nkey: [unclosed\n---\n").json()["error"]
    assert "python/object" in validate("---\nx: !!python/object/apply:os.system ['true']\n---\n").json()["error"]
    big = "---\n" + "".join(f"k{i}: {'v' * 60}\n" for i in range(5000)) + "---\n"  # 330 KiB of metadata
    response = validate(big)
    assert response.status_code == 413 and "front matter" in response.json()["error"]
    assert validate("x" * (5 << 20)).status_code == 413  # the whole README
