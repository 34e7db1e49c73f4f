"""Writes need a write token; read tokens and anonymous callers are refused without side effects."""

from __future__ import annotations

import httpx
import pytest
from huggingface_hub.errors import HfHubHTTPError

from genzoo import GenzooError
from genzoo_hub import import_folder, load_tokens


@pytest.fixture
def repo(hub, source):
    [(repo_id, commit)] = import_folder(hub.root, source("toy", {"a.txt": b"original"}))
    return repo_id, commit


@pytest.mark.parametrize("who", ["anonymous", "read", "unknown"])
def test_push_refused_and_repo_unchanged(hub, repo, tmp_path, who):
    repo_id, commit = repo
    token = {"anonymous": False, "read": hub.read_token, "unknown": "not-a-configured-token-xxxx"}[who]
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"overwritten")
    (folder / "new.txt").write_bytes(b"new")
    with pytest.raises(HfHubHTTPError) as refused:
        hub.api.upload_folder(repo_id=repo_id, folder_path=folder, token=token)
    assert refused.value.response.status_code == (403 if who == "read" else 401)
    with pytest.raises(HfHubHTTPError) as refused:
        hub.api.create_repo("genzoo/other", token=token)
    assert refused.value.response.status_code == (403 if who == "read" else 401)

    assert hub.api.model_info(repo_id).sha == commit
    assert hub.download(repo_id, "a.txt") == b"original"
    assert hub.api.list_repo_refs(repo_id).branches[0].target_commit == commit
    assert not (hub.root / "repos" / "genzoo" / "other").exists()


def test_raw_commit_without_write_token_is_refused_before_reading_the_body(hub, repo):
    repo_id, commit = repo
    body = (
        b'{"key":"header","value":{"summary":"x"}}\n'
        b'{"key":"file","value":{"path":"p","content":"eA==","encoding":"base64"}}\n'
    )
    url = f"{hub.endpoint}/api/models/{repo_id}/commit/main"
    for headers, status in [
        ({}, 401),
        ({"Authorization": f"Bearer {hub.read_token}"}, 403),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer " + hub.write_token[:-1]}, 401),  # one character short
    ]:
        response = httpx.post(url, content=body, headers={"Content-Type": "application/x-ndjson", **headers})
        assert response.status_code == status and response.json()["error"]
    assert hub.api.model_info(repo_id).sha == commit


def test_whoami(hub):
    assert hub.api.whoami(token=hub.write_token)["auth"]["accessToken"]["role"] == "write"
    assert hub.api.whoami(token=hub.read_token)["auth"]["accessToken"]["role"] == "read"
    with pytest.raises(HfHubHTTPError):
        hub.api.whoami(token="not-a-configured-token-xxxx")


def test_load_tokens_merges_file_and_env(tmp_path, monkeypatch):
    token_file = tmp_path / "tokens"
    token_file.write_text("# comment\n\nfile-token-aaaaaaaaaa:read\nshared-token-aaaaaaaaa:read\n")
    monkeypatch.setenv("GENZOO_HUB_TOKENS", "env-token-aaaaaaaaaaa:write, shared-token-aaaaaaaaa:write")
    assert load_tokens(token_file) == {
        "file-token-aaaaaaaaaa": "read",
        "shared-token-aaaaaaaaa": "write",
        "env-token-aaaaaaaaaaa": "write",
    }
    monkeypatch.delenv("GENZOO_HUB_TOKENS")
    assert load_tokens(None) == {}


@pytest.mark.parametrize(
    "line", ["no-role-aaaaaaaaaaaaa", "short:write", "good-token-aaaaaaaaaa:admin", "bad token with spaces:read"]
)
def test_load_tokens_rejects_bad_entries(tmp_path, monkeypatch, line):
    monkeypatch.delenv("GENZOO_HUB_TOKENS", raising=False)
    token_file = tmp_path / "tokens"
    token_file.write_text(line + "\n")
    with pytest.raises(GenzooError, match=":1"):
        load_tokens(token_file)
