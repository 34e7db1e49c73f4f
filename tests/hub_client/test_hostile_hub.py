"""A hostile hub cannot steer huggingface_hub's cache outside itself, and plain HTTP is refused."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genzoo.errors import GenzooError
from genzoo.hub import fetch_pretrained, fetch_repo
from genzoo.hub.guard import HostileHubError, check_endpoint, check_response
from genzoo.specs import PretrainedSpec

# From the cache's blobs/ folder (cache/models--evil--repo/blobs), four levels up is tmp_path.
ESCAPE = "../../../../pwned.pth"


def _spec(files: dict[str, str]) -> PretrainedSpec:
    return PretrainedSpec(name="evil-model", architecture="vae", repo_id="evil/repo", revision="0" * 40, files=files)


@pytest.fixture
def hub(hostile_hub, hf_cache, monkeypatch):
    monkeypatch.setenv("GENZOO_HUB", hostile_hub.url)
    return hostile_hub


@pytest.mark.parametrize("headers", [
    {"ETag": f'"{ESCAPE}"'},
    {"ETag": '"' + "a" * 64 + '"', "X-Linked-Etag": f'"{ESCAPE}"'},
    {"ETag": "W/" + ESCAPE},
    {"X-Repo-Commit": "../../../../snapshots-escape"},
])
def test_cache_steering_headers_are_refused_before_anything_is_written(hub, tmp_path, headers):
    hub.headers.update(headers)
    with pytest.raises(HostileHubError, match="malformed") as caught:
        fetch_pretrained(_spec({"config.json": "b" * 64}))
    assert len(str(caught.value).splitlines()) == 1
    assert not (tmp_path / "pwned.pth").exists()
    assert not [r for r in hub.requests if r.startswith("GET")]  # refused at the HEAD, nothing downloaded


def test_a_well_formed_hub_still_serves(hub, tmp_path):
    digest = hashlib.sha256(hub.body).hexdigest()
    hub.headers["ETag"] = f'"{digest}"'
    folder = fetch_pretrained(_spec({"config.json": digest}))
    assert (folder / "config.json").read_bytes() == hub.body


def test_a_hostile_repo_sha_is_refused_before_snapshot_download_uses_it(hub, tmp_path):
    hub.repo_info["sha"] = "../../../../trees-escape"
    with pytest.raises(HostileHubError, match="repo sha"):
        fetch_repo("hf://evil/repo")
    assert not list(tmp_path.glob("trees-escape*"))


@pytest.mark.parametrize("url", ["http://hub.example.org", "http://10.0.0.5:8000"])
def test_plain_http_to_another_machine_is_refused_unless_allowed(url, monkeypatch):
    monkeypatch.delenv("GENZOO_ALLOW_HTTP", raising=False)
    with pytest.raises(GenzooError, match="GENZOO_ALLOW_HTTP=1"):
        check_endpoint(url)
    monkeypatch.setenv("GENZOO_ALLOW_HTTP", "1")
    assert check_endpoint(url + "/") == url


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:80", "https://huggingface.co"])
def test_https_and_this_machine_are_accepted(url, monkeypatch):
    monkeypatch.delenv("GENZOO_ALLOW_HTTP", raising=False)
    assert check_endpoint(url) == url


@pytest.mark.parametrize("url", ["ftp://hub.example.org", "http://", "file:///etc"])
def test_other_schemes_are_one_line_errors(url):
    with pytest.raises(GenzooError, match="expected an http"):
        check_endpoint(url)


def test_hosts_genzoo_never_used_are_left_alone():
    import httpx2

    request = httpx2.Request("HEAD", "https://other.example.org/a/b/resolve/main/x")
    check_response(httpx2.Response(200, headers={"ETag": f'"{ESCAPE}"'}, request=request))  # not ours: no error


def test_genzoo_sample_against_a_hostile_hub_is_one_line_and_writes_nothing(hostile_hub, tmp_path):
    """The issue's reproduction: `GENZOO_HUB=http://127.0.0.1:PORT genzoo sample vae-moons`."""
    hostile_hub.headers["ETag"] = f'"{ESCAPE}"'
    env = {**os.environ, "GENZOO_HUB": hostile_hub.url, "HF_HOME": str(tmp_path / "home"),
           "HF_HUB_DISABLE_TELEMETRY": "1", "OMP_NUM_THREADS": "1"}
    env.pop("HF_HUB_OFFLINE", None)
    genzoo = str(Path(sys.executable).with_name("genzoo"))
    run = subprocess.run([genzoo, "sample", "vae-moons", "-n", "4", "-o",
                          str(tmp_path / "s.npy")], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1, run.stderr
    assert run.stderr.startswith("error: hub http://127.0.0.1") and len(run.stderr.splitlines()) == 1, run.stderr
    assert not (tmp_path / "pwned.pth").exists() and not (tmp_path / "s.npy").exists()


def test_the_guard_joins_a_client_factory_the_user_installed():
    import httpx2
    from huggingface_hub.utils import get_session, set_client_factory
    from huggingface_hub.utils._http import default_client_factory

    from genzoo.hub.guard import guard

    def users_hook(response):
        pass

    set_client_factory(lambda: httpx2.Client(event_hooks={"response": [users_hook]}))
    try:
        guard("http://127.0.0.1:9")
        assert get_session().event_hooks["response"] == [users_hook, check_response]
        guard("http://127.0.0.1:9")  # attached once, however often genzoo calls
        assert get_session().event_hooks["response"] == [users_hook, check_response]
    finally:
        set_client_factory(default_client_factory)


def test_doctor_reports_a_refused_hub_url_as_a_failed_check(monkeypatch):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    monkeypatch.setenv("GENZOO_HUB", "ftp://hub.example.org")
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1 and "FAIL hub: hub 'ftp://hub.example.org': expected an http" in result.output


def test_offline_with_nothing_cached_says_how_to_get_the_weights(hub, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(GenzooError) as caught:
        fetch_pretrained(_spec({"config.json": "b" * 64}))
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and not hub.requests
    assert message.startswith("evil-model: the weights live at https://huggingface.co/evil/repo")
    assert "HF_HUB_OFFLINE is set and the cache has no evil/repo/config.json" in message
    assert "`genzoo pull evil-model --to DIR`" in message and "GENZOO_HUB=DIR" in message


def test_a_dead_hub_fails_at_once_or_serves_the_cache(hub, tmp_path, monkeypatch):
    """huggingface_hub alone retries a hub that refuses connections for ~23 s before using its cache."""
    import time

    digest = hashlib.sha256(hub.body).hexdigest()
    hub.headers["ETag"] = f'"{digest}"'
    spec = _spec({"config.json": digest})
    fetch_pretrained(spec)  # cached while the hub is up
    hub.server.shutdown()
    hub.server.server_close()
    start = time.monotonic()
    assert (fetch_pretrained(spec) / "config.json").read_bytes() == hub.body
    with pytest.raises(GenzooError, match="cannot be reached and the cache has no .*; on a machine that can reach "
                                          "that hub run `genzoo pull"):
        fetch_pretrained(_spec({"model.safetensors": "c" * 64}))
    assert time.monotonic() - start < 10


def test_behind_a_proxy_the_hub_is_not_probed(monkeypatch):
    from genzoo.hub.client import reachable

    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert not reachable("http://127.0.0.1:9", timeout=1)
    monkeypatch.setenv("http_proxy", "http://proxy.example.org:3128")
    assert reachable("http://hub.example.org:9", timeout=1)  # huggingface_hub goes through the proxy


def test_a_hf_uri_on_a_dead_hub_fails_at_once(hf_cache, monkeypatch):
    import time

    monkeypatch.setenv("GENZOO_HUB", "http://127.0.0.1:9")
    start = time.monotonic()
    with pytest.raises(GenzooError, match=r"hf://me/model: not in the local cache .* `genzoo pull hf://me/model --to DIR`"):
        fetch_repo("hf://me/model")
    assert time.monotonic() - start < 10
