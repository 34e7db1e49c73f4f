"""Fixtures for the hub server tests: a server in a thread or a subprocess, and the real HF client.

Every client call passes ``endpoint=``, ``cache_dir=`` and ``token=`` explicitly, so the tests do not
depend on environment variables that ``huggingface_hub`` only reads at import time.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import pytest  # noqa: E402
import uvicorn  # noqa: E402
from huggingface_hub import HfApi, hf_hub_download  # noqa: E402
from huggingface_hub.utils import disable_progress_bars  # noqa: E402

import genzoo_hub as hub_server  # noqa: E402
from genzoo_hub.process import HubProcess  # noqa: E402

disable_progress_bars()

WRITE_TOKEN = "genzoo-test-write-token-0001"
READ_TOKEN = "genzoo-test-read-token-00001"
TOKENS = {WRITE_TOKEN: "write", READ_TOKEN: "read"}


def write_tree(folder: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


class Client:
    """The unmodified huggingface_hub client pointed at one server."""

    write_token, read_token = WRITE_TOKEN, READ_TOKEN

    def __init__(self, endpoint: str, cache_root: Path) -> None:
        self.endpoint = endpoint
        self.cache_root = cache_root
        self.api = HfApi(endpoint=endpoint, token=False)

    def download(self, repo_id: str, filename: str, *, token: str | bool = False, **kwargs) -> bytes:
        """Download into a fresh cache dir (so nothing is served from an earlier download)."""
        cache_dir = self.cache_root / uuid.uuid4().hex
        path = hf_hub_download(
            repo_id, filename, endpoint=self.endpoint, cache_dir=cache_dir, token=token, etag_timeout=30, **kwargs
        )
        return Path(path).read_bytes()


class ThreadedServer(Client):
    """uvicorn serving ``create_app(root)`` in a background thread of the test process."""

    def __init__(self, root: Path, cache_root: Path, wrap=None, limits=None, **app_kwargs) -> None:
        self.root = root
        self.app = hub_server.create_app(root, **app_kwargs)
        served = wrap(self.app) if wrap else self.app
        limits = limits or hub_server.ConnectionLimits()
        config = hub_server.uvicorn_config(served, host="127.0.0.1", port=0, limits=limits, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        super().__init__(f"http://127.0.0.1:{self.port}", cache_root)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.state.root_lock.close()


class ServerProcess(HubProcess, Client):
    """``python -m genzoo_hub`` in a subprocess, so it can be SIGKILLed."""

    def __init__(self, root: Path, cache_root: Path, log: Path, env: dict[str, str] | None = None,
                 **process_kwargs) -> None:
        HubProcess.__init__(self, root, log, tokens=TOKENS, env=env, **process_kwargs)
        Client.__init__(self, self.url, cache_root)


@pytest.fixture
def source(tmp_path):
    """``source(name, files)`` writes a folder ``tmp/src/<name>`` and returns its parent (an import dir)."""

    def make(name: str, files: dict[str, bytes]) -> Path:
        write_tree(tmp_path / "src" / name, files)
        return tmp_path / "src"

    return make


@pytest.fixture
def make_hub(tmp_path):
    """``make_hub(wrap=None, **create_app_kwargs)``: threaded servers on ``tmp/root``, stopped at teardown."""
    started: list[ThreadedServer] = []

    def start(wrap=None, **kwargs) -> ThreadedServer:
        server = ThreadedServer(tmp_path / "root", tmp_path / "cache", wrap=wrap, **{"tokens": TOKENS, **kwargs})
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def hub(make_hub):
    """A threaded server with read and write tokens, on an empty root."""
    return make_hub()


@pytest.fixture
def spawn(tmp_path):
    """``spawn(root, env=None, args=(), max_open_files=None)`` starts a subprocess server (stopped at teardown)."""
    started: list[ServerProcess] = []

    def start(root: Path, env: dict[str, str] | None = None, **process_kwargs) -> ServerProcess:
        server = ServerProcess(root, tmp_path / "cache", tmp_path / f"server{len(started)}.log", env, **process_kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def module_hub(tmp_path_factory):
    """One threaded server per module with a 64 KiB upload limit (for many quick requests)."""
    base = tmp_path_factory.mktemp("module-hub")
    server = ThreadedServer(base / "root", base / "cache", tokens=TOKENS, max_upload_bytes=64 << 10)
    yield server
    server.stop()


@pytest.fixture
def hf_cache(tmp_path, monkeypatch):
    """huggingface_hub downloads into a private cache, online, with no GENZOO_HUB or HF_ENDPOINT set."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    for name in ("GENZOO_HUB", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
