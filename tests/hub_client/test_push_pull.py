"""`genzoo push` and `genzoo pull --to`: symlinks are refused, and every bad input is one line."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.errors import CheckpointError
from genzoo.hub.publish import bundle


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def _one_line_error(result, *expected: str) -> None:
    lines = result.output.strip().splitlines()
    assert result.exit_code in (1, 2) and len(lines) == 1 and lines[0].startswith("error: "), result.output
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.fixture
def checkpoint(toy_registry, tmp_path):
    return genzoo.save_pretrained(genzoo.create("class-gaussian"), tmp_path / "ckpt")


@pytest.fixture
def dead_hub():
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_push_refuses_a_symlink_out_of_the_folder(checkpoint, tmp_path, dead_hub):
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    (checkpoint / "notes.txt").symlink_to(secret)
    _one_line_error(run("push", str(checkpoint), "me/model", "--hub", dead_hub), "notes.txt: a symlink", "refusing")


def test_push_refuses_symlinked_weights(checkpoint, tmp_path, dead_hub):
    weights = checkpoint / "model.safetensors"
    elsewhere = tmp_path / "elsewhere.safetensors"
    weights.rename(elsewhere)
    weights.symlink_to(elsewhere)
    _one_line_error(run("push", str(checkpoint), "me/model", "--hub", dead_hub), "model.safetensors: a symlink")


def test_push_refuses_a_card_that_is_not_utf8(checkpoint, dead_hub):
    (checkpoint / "README.md").write_bytes(b"---\nlicense: mit\n---\n\xff\xfe caf\xe9\n")
    _one_line_error(run("push", str(checkpoint), "me/model", "--hub", dead_hub), "README.md: not UTF-8 text")


@pytest.mark.parametrize("repo_id", ["bad//id", "../x", "a/b/c"])
def test_push_to_a_malformed_repo_id_is_one_line(checkpoint, dead_hub, repo_id):
    _one_line_error(run("push", str(checkpoint), repo_id, "--hub", dead_hub), "not a repo id")


@pytest.mark.parametrize("hub", ["not-a-url", "ftp://hub.example.org", "http://hub.example.org"])
def test_push_to_a_bad_or_plain_http_hub_is_one_line(checkpoint, hub, monkeypatch):
    monkeypatch.delenv("GENZOO_ALLOW_HTTP", raising=False)
    _one_line_error(run("push", str(checkpoint), "me/model", "--hub", hub), "hub")


def test_push_to_a_dead_hub_is_one_line(checkpoint, dead_hub):
    _one_line_error(run("push", str(checkpoint), "me/model", "--hub", dead_hub), "cannot reach the hub")


def test_push_without_checksums_says_how_to_fix_it(checkpoint, dead_hub):
    (checkpoint / "SHA256SUMS").unlink()
    _one_line_error(run("push", str(checkpoint), "me/model", "--hub", dead_hub), "no sha256", "save_pretrained")


def test_pull_to_refuses_a_symlink_in_a_hub_folder(checkpoint, tmp_path):
    hub = tmp_path / "hub"
    (hub / "me").mkdir(parents=True)
    repo = checkpoint.rename(hub / "me" / "model")
    secret = tmp_path / "token"
    secret.write_text("hf_secret")
    (repo / "notes.txt").symlink_to(secret)
    result = run("pull", "hf://me/model", "--to", str(tmp_path / "bundle"), env={"GENZOO_HUB": str(hub)})
    _one_line_error(result, "notes.txt: a symlink", "outside the hub cache")
    assert not (tmp_path / "bundle" / "me" / "model").exists()


def test_bundle_follows_only_the_links_of_a_hub_cache_snapshot(tmp_path):
    storage = tmp_path / "models--me--model"
    (storage / "blobs").mkdir(parents=True)
    snapshot = storage / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    (storage / "blobs" / ("a" * 64)).write_bytes(b"weights")
    (snapshot / "model.safetensors").symlink_to(f"../../blobs/{'a' * 64}")
    (snapshot / "README.md").write_text("card")
    target = bundle(snapshot, tmp_path / "out")
    assert (target / "model.safetensors").read_bytes() == b"weights" and not (target / "model.safetensors").is_symlink()
    assert (target / "README.md").read_text() == "card"
    (snapshot / "extra").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").write_text("secret")
    with pytest.raises(CheckpointError, match="extra: a symlink"):
        bundle(snapshot, tmp_path / "out2")
