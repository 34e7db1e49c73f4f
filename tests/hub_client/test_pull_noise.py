"""A misbehaving hub: `genzoo pull` prints genzoo's one error line, not huggingface_hub's retries or traceback."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

BODY = b"x" * 100_000
COMMIT = "0" * 40


class CutOffHub(BaseHTTPRequestHandler):
    """Lists one file, then sends the first 1,000 of its 100,000 bytes and hangs up (every time)."""

    def log_message(self, *args):
        pass

    def _answer(self, with_body: bool) -> None:
        if self.path.startswith("/api/models/"):
            tree = [{"type": "file", "path": "config.json", "size": len(BODY), "oid": "1" * 40}]
            info = {"id": "me/model", "sha": COMMIT, "siblings": [{"rfilename": "config.json"}]}
            body = json.dumps(tree if "/tree/" in self.path else info).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(BODY).hexdigest()}"')
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if with_body:
            self.wfile.write(BODY[:1000])
            self.close_connection = True

    def do_HEAD(self):
        self._answer(with_body=False)

    def do_GET(self):
        self._answer(with_body=True)


@pytest.fixture
def cut_off_hub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CutOffHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pull_from_a_hub_that_dies_mid_download_prints_only_genzoos_error(cut_off_hub, tmp_path):
    env = {**os.environ, "GENZOO_HUB": cut_off_hub, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_DISABLE_TELEMETRY": "1"}
    for key in ("HF_HUB_VERBOSITY", "HF_HUB_DISABLE_PROGRESS_BARS", "HF_HUB_OFFLINE", "GENZOO_ALLOW_HTTP"):
        env.pop(key, None)
    result = subprocess.run([sys.executable, "-c", "from genzoo.cli.main import main; main()", "pull", "hf://me/model",
                             "--to", str(tmp_path / "out")],
                            env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: hf://me/model: peer closed connection without sending complete message body "
        "(received 1000 bytes, expected 100000)"]
    assert not (tmp_path / "out").exists()


def test_a_malformed_tree_listing_is_one_line(hostile_hub, hf_cache, monkeypatch):
    """The hostile hub answers the file listing (/tree/) with its repo info, a dict where a list belongs."""
    from genzoo.hub import fetch_repo
    from genzoo.hub.guard import HostileHubError

    monkeypatch.setenv("GENZOO_HUB", hostile_hub.url)
    with pytest.raises(HostileHubError, match=r"^hf://evil/repo: the hub http://127\.0\.0\.1:\d+ answered a "
                                              r"malformed repo listing \(TypeError: ") as caught:
        fetch_repo("hf://evil/repo")
    assert len(str(caught.value).splitlines()) == 1
