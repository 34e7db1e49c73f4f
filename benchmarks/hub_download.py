"""Download throughput of `genzoo hub serve` beside a plain static file server, in the same run.

Both servers run as subprocesses on 127.0.0.1 and serve the same file (50 MB by default): the
anchor is the standard library's ``python -m http.server`` (ThreadingHTTPServer); the hub serves it
through ``/{repo}/resolve/main/{file}`` with its integrity check and repo lookup on every request.
The client is the same minimal ``http.client`` loop for both (1 MiB ``readinto``, no disk writes),
rounds are interleaved, and the median is reported, with the server process's CPU time per GB
(less sensitive to other load on the machine). A last row shows the real
``huggingface_hub.hf_hub_download`` end to end (HEAD + GET + writing its cache), for context.

    python benchmarks/hub_download.py [--size-mb 50] [--rounds 7]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[1]
SRCS = [str(REPO / "core" / "src"), str(REPO / "hub" / "src")]  # the code in this checkout, installed or not
sys.path[:0] = SRCS

from genzoo_hub import import_folder  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(cmd: list[str], port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*SRCS, os.environ.get("PYTHONPATH", "")])}
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start: {' '.join(cmd)}\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc): a load-independent cost measure."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fetch(port: int, path: str, headers: dict[str, str] | None = None, digest: bool = False) -> tuple[float, int, str]:
    """Seconds, bytes and (optionally) sha256 of one GET, reading 1 MiB at a time."""
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    sha = hashlib.sha256() if digest else None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    assert response.status in (200, 206), response.status
    total = 0
    while n := response.readinto(view):
        total += n
        if sha:
            sha.update(view[:n])
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed, total, sha.hexdigest() if sha else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = os.urandom(args.size_mb * 1_000_000)
        expected = hashlib.sha256(data).hexdigest()
        (tmp_path / "static").mkdir()
        (tmp_path / "static" / "model.bin").write_bytes(data)
        (tmp_path / "import" / "bench").mkdir(parents=True)
        (tmp_path / "import" / "bench" / "model.bin").write_bytes(data)
        import_folder(tmp_path / "root", tmp_path / "import")
        del data

        hub_port, static_port = free_port(), free_port()
        servers = [
            start(
                [sys.executable, "-m", "genzoo_hub", "--root", str(tmp_path / "root"), "--port", str(hub_port)],
                hub_port,
                tmp_path / "hub.log",
            ),
            start([sys.executable, "-m", "http.server", str(static_port), "--bind", "127.0.0.1",
                   "--directory", str(tmp_path / "static")], static_port, tmp_path / "static.log"),
        ]
        try:
            targets = {
                "http.server (stdlib, anchor)": (static_port, "/model.bin", None),
                "genzoo hub  GET resolve/main": (hub_port, "/genzoo/bench/resolve/main/model.bin", None),
                "genzoo hub  GET Range 2nd half": (
                    hub_port, "/genzoo/bench/resolve/main/model.bin", {"Range": f"bytes={args.size_mb * 500_000}-"}),
            }
            for name, (port, path, headers) in targets.items():  # warm-up (first hub read hashes the blob)
                _, size, sha = fetch(port, path, headers, digest=headers is None)
                assert headers is not None or sha == expected, f"{name}: wrong bytes"
            pids = {port: proc.pid for port, proc in zip((hub_port, static_port), servers)}
            rates: dict[str, list[float]] = {name: [] for name in targets}
            cpu_per_gb: dict[str, float] = dict.fromkeys(targets, 0.0)
            for _ in range(args.rounds):
                for name, (port, path, headers) in targets.items():
                    cpu_before = cpu_seconds(pids[port])
                    seconds, size, _ = fetch(port, path, headers)
                    cpu_per_gb[name] += (cpu_seconds(pids[port]) - cpu_before) / (size * args.rounds / 1e9)
                    rates[name].append(size / seconds / 1e6)
            cpu_before = cpu_seconds(pids[hub_port])
            rates["hf_hub_download end-to-end"] = hf_hub_download_rates(hub_port, tmp_path, args.rounds, expected)
            cpu_per_gb["hf_hub_download end-to-end"] = (cpu_seconds(pids[hub_port]) - cpu_before) / (
                args.size_mb * args.rounds / 1e3)
        finally:
            for proc in servers:
                proc.terminate()
                proc.wait(10)

    anchor = statistics.median(rates["http.server (stdlib, anchor)"])
    print(f"\n{args.size_mb} MB file, 127.0.0.1, median of {args.rounds} rounds, {os.cpu_count()} CPUs\n")
    print(f"| {'server':32} | {'MB/s':>8} | {'ratio':>6} | {'server CPU s/GB':>15} |")
    print(f"|{'-' * 34}|{'-' * 9}:|{'-' * 7}:|{'-' * 16}:|")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"| {name:32} | {median:8.0f} | {median / anchor:5.2f}x | {cpu_per_gb[name]:15.2f} |")


def hf_hub_download_rates(port: int, tmp_path: Path, rounds: int, expected: str) -> list[float]:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()
    rates = []
    for index in range(rounds):
        cache = tmp_path / f"hf-cache-{index}"
        started = time.perf_counter()
        endpoint = f"http://127.0.0.1:{port}"
        path = hf_hub_download("genzoo/bench", "model.bin", endpoint=endpoint, cache_dir=cache, token=False)
        seconds = time.perf_counter() - started
        size = os.path.getsize(path)
        if index == 0:
            with open(path, "rb") as f:
                assert hashlib.file_digest(f, "sha256").hexdigest() == expected
        rates.append(size / seconds / 1e6)
        for leftover in sorted(cache.rglob("*"), reverse=True):
            leftover.unlink() if not leftover.is_dir() or leftover.is_symlink() else leftover.rmdir()
    return rates


if __name__ == "__main__":
    main()
