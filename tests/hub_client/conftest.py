"""A hostile hub: a tiny HTTP server on 127.0.0.1 that answers whatever headers a test asks for."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

GOOD_COMMIT = "0" * 40
GOOD_ETAG = '"' + "a" * 64 + '"'


class HostileHub:
    """Answers every /resolve/ request with `headers` and every /api/models/ request with `repo_info`."""

    def __init__(self) -> None:
        self.headers = {"X-Repo-Commit": GOOD_COMMIT, "ETag": GOOD_ETAG}
        self.body = b"payload"
        self.repo_info = {"id": "evil/repo", "sha": GOOD_COMMIT, "siblings": [{"rfilename": "config.json"}]}
        self.requests: list[str] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def _answer(self, with_body: bool) -> None:
                hub.requests.append(f"{self.command} {self.path}")
                if self.path.startswith("/api/models/"):
                    body, headers = json.dumps(hub.repo_info).encode(), {"Content-Type": "application/json"}
                else:
                    body, headers = hub.body, hub.headers
                self.send_response(200)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_HEAD(self):
                self._answer(with_body=False)

            def do_GET(self):
                self._answer(with_body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def hostile_hub():
    hub = HostileHub()
    thread = threading.Thread(target=hub.server.serve_forever, daemon=True)
    thread.start()
    yield hub
    hub.server.shutdown()
    hub.server.server_close()


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    """A private huggingface_hub cache (its constants are read at import, so patch them)."""
    from huggingface_hub import constants

    cache = tmp_path / "home" / "hub"
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("GENZOO_ALLOW_HTTP", raising=False)
    return cache
