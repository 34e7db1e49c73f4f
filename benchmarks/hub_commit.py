"""Time and server memory of one large commit to `genzoo hub serve` (the Hub's NDJSON commit API).

The server runs as a subprocess on 127.0.0.1 (as `python -m genzoo_hub`); the client streams one
commit per size: a header line and one ``file`` line whose base64 content is generated on the fly
(what ``huggingface_hub`` sends for a regular-mode upload), with an exact ``Content-Length``.
Reported per size: wall seconds from the first byte sent to the answer, throughput of file bytes,
and the server's peak resident memory (``VmHWM``, Linux) after that commit, which starts at the
idle server's footprint (shown first). The issue's numbers for the old parser, which buffered the
line, rescanned it per chunk and decoded it whole: 200 MB took 35 s and 1.3 GB.

    python benchmarks/hub_commit.py [--sizes-mb 10 50 200]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "core" / "src"), str(REPO / "hub" / "src")]  # the code in this checkout

import httpx  # noqa: E402

from genzoo_hub.process import HubProcess  # noqa: E402

TOKEN = "benchmark-write-token-000001"
PIECE = 3 << 20  # file bytes encoded per piece (a multiple of 3, so pieces concatenate as one base64 string)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc (Linux only)")


def commit_body(size: int, path: str) -> tuple[int, Iterator[bytes]]:
    """(Content-Length, chunks) of a one-file commit whose content is ``size`` pseudo-random bytes."""
    header = json.dumps({"key": "header", "value": {"summary": f"{size} bytes"}}).encode() + b"\n"
    head = b'{"key": "file", "value": {"path": "' + path.encode() + b'", "encoding": "base64", "content": "'
    tail = b'"}}\n'
    length = len(header) + len(head) + 4 * -(-size // 3) + len(tail)
    block = os.urandom(PIECE)

    def chunks() -> Iterator[bytes]:
        yield header + head
        for start in range(0, size, PIECE):
            yield base64.b64encode(block[: min(PIECE, size - start)])
        yield tail

    return length, chunks()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[10, 50, 200])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        limit = str(2 * max(args.sizes_mb) << 20)
        server = HubProcess(Path(tmp) / "root", Path(tmp) / "server.log", tokens={TOKEN: "write"},
                            args=["--max-upload-bytes", limit])
        try:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            httpx.post(f"{server.url}/api/repos/create", json={"organization": "bench", "name": "big"},
                       headers=auth, timeout=30).raise_for_status()
            print(f"idle server: peak RSS {peak_rss_mb(server.proc.pid):.0f} MB\n")
            print(f"| {'file MB':>7} | {'body MB':>7} | {'seconds':>7} | {'MB/s':>6} | {'server peak RSS MB':>18} |")
            print(f"|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 20}|")
            for size_mb in args.sizes_mb:
                length, chunks = commit_body(size_mb << 20, f"file-{size_mb}.bin")
                started = time.perf_counter()
                response = httpx.post(
                    f"{server.url}/api/models/bench/big/commit/main", content=chunks, timeout=600,
                    headers={**auth, "Content-Type": "application/x-ndjson", "Content-Length": str(length)},
                )
                seconds = time.perf_counter() - started
                response.raise_for_status()
                print(f"| {size_mb:>7} | {length / 2**20:>7.0f} | {seconds:>7.2f} | {size_mb / seconds:>6.0f} "
                      f"| {peak_rss_mb(server.proc.pid):>18.0f} |")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
