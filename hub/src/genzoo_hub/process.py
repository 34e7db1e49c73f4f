"""A hub server in a child process, for tests and reliability checks that must SIGKILL it.

The child runs `python -m genzoo_hub` with this process's interpreter and the folder that
holds this genzoo_hub first on PYTHONPATH, so it serves exactly the code under test.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import httpx

PACKAGE_PARENT = Path(__file__).resolve().parents[1]  # the folder that contains genzoo_hub


def _limit_open_files(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HubProcess:
    """Start a server on a free loopback port and wait until it answers; `url`, `kill()`, `stop()`."""

    def __init__(self, root: Path, log: Path, *, tokens: dict[str, str], env: dict[str, str] | None = None,
                 args: Sequence[str] = (), max_open_files: int | None = None, startup_timeout: float = 20) -> None:
        """``args`` are extra server options; ``max_open_files`` lowers the child's descriptor limits."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        full_env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PACKAGE_PARENT), os.environ.get("PYTHONPATH", "")]),
            "GENZOO_HUB_TOKENS": ",".join(f"{token}:{role}" for token, role in tokens.items()),
            **(env or {}),
        }
        with open(log, "ab") as log_file:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "genzoo_hub", "--root", str(root), "--port", str(self.port), *args],
                env=full_env, stdout=log_file, stderr=subprocess.STDOUT,
                preexec_fn=None if max_open_files is None else partial(_limit_open_files, max_open_files),
            )
        self._wait_until_ready(startup_timeout)

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub server exited early:\n{self.log.read_text()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"hub server did not start in {timeout} s:\n{self.log.read_text()}")
            try:
                httpx.get(f"{self.url}/api/whoami-v2", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
