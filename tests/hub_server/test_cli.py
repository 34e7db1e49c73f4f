"""`genzoo hub serve` and `genzoo hub login`: every setup mistake is one `error:` line, never a traceback."""

from __future__ import annotations

import os
import socket
import stat

import pytest
import uvicorn
from click.testing import CliRunner

from genzoo.cli.hub import HubGroup
from genzoo.cli.main import cli
from genzoo_hub import create_app, import_folder


@pytest.fixture(autouse=True)
def never_serve(monkeypatch):
    """A setup error must stop `serve` before uvicorn starts; if it did not, fail instead of hanging."""

    def refuse(self):
        raise AssertionError("the server started although its setup is invalid")

    monkeypatch.setattr(uvicorn.Server, "run", refuse)
    monkeypatch.delenv("GENZOO_HUB_TOKENS", raising=False)


def run(*args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(cli, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    assert not isinstance(result.exception, AssertionError), result.output
    return result


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"no-role-token-aaaaaaaa\n", "expected 'token:role'"),
        (b"short:write\n", "at least 16 characters"),
        (b"good-token-aaaaaaaaaa:admin\n", "expected 'token:role'"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
    ],
)
def test_bad_token_file(tmp_path, content, message):
    (tmp_path / "tokens").write_bytes(content)
    result = run("hub", "serve", "--root", str(tmp_path / "root"), "--tokens", str(tmp_path / "tokens"))
    assert result.exit_code == 2 and message in one_error_line(result)


def test_missing_token_file(tmp_path):
    result = run("hub", "serve", "--root", str(tmp_path / "root"), "--tokens", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "cannot read token file" in one_error_line(result)


@pytest.mark.parametrize("value", ["short:write", "aaaaaaaaaaaaaaaaaaaaaaaa:admin", "aaaaaaaaaaaaaaaaaaaaaaaa"])
def test_bad_token_environment(tmp_path, value):
    result = run("hub", "serve", "--root", str(tmp_path / "root"), env={"GENZOO_HUB_TOKENS": value})
    assert result.exit_code == 2 and "GENZOO_HUB_TOKENS" in one_error_line(result)


@pytest.mark.parametrize("namespace", ["../x", "a/b", "..", "-x", "a--b", ""])
def test_bad_namespace(tmp_path, namespace):
    result = run("hub", "serve", "--root", str(tmp_path / "root"), "--namespace", namespace)
    assert result.exit_code == 2 and "is not a namespace" in result.stderr


def test_a_second_server_on_the_same_root_names_the_first(tmp_path):
    first = create_app(tmp_path / "root")
    try:
        result = run("hub", "serve", "--root", str(tmp_path / "root"))
    finally:
        first.state.root_lock.close()
    assert result.exit_code == 1 and f"(pid {os.getpid()}) is using" in one_error_line(result)


def test_a_taken_port_is_one_line(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run("hub", "serve", "--root", str(tmp_path / "root"), "--port", str(port))
    assert result.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in one_error_line(result)


def test_serve_without_genzoo_hub_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(HubGroup, "_contributed", lambda self: {})
    result = run("hub", "serve", "--root", str(tmp_path / "root"), "--port", "1")
    assert result.exit_code == 1 and "pip install genzoo-hub" in one_error_line(result)
    assert "serve" in run("hub", "--help").output


def test_login_creates_the_token_file_private_from_the_start(tmp_path, monkeypatch):
    from huggingface_hub import constants

    token_path = tmp_path / "hf" / "token"
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(token_path))
    created_modes = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT and str(path).startswith(str(tmp_path)):
            created_modes.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    old_umask = os.umask(0)  # the mode alone must keep the token private, whatever the umask
    try:
        result = run("hub", "login", "--token", "  hf_secret-token-0123456789  ")
    finally:
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert token_path.read_text() == "hf_secret-token-0123456789"
    assert stat.S_IMODE(token_path.stat().st_mode) == 0o600
    assert created_modes and all(mode & 0o077 == 0 for mode in created_modes)


@pytest.mark.parametrize("token", ["   ", "two words", "tab\there"])
def test_login_refuses_unusable_tokens(tmp_path, monkeypatch, token):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "token"))
    result = run("hub", "login", "--token", token)
    assert result.exit_code == 1 and "token" in one_error_line(result)
    assert not (tmp_path / "token").exists()


def test_fsck_from_the_cli(tmp_path, source):
    import_folder(tmp_path / "root", source("m", {"a.txt": b"a"}))
    result = run("hub", "serve", "--root", str(tmp_path / "root"), "--fsck")
    assert result.exit_code == 0 and result.output.strip().endswith("OK")
    missing = run("hub", "serve", "--root", str(tmp_path / "nothing"), "--fsck")
    assert missing.exit_code == 2 and "not a hub storage folder" in one_error_line(missing)
