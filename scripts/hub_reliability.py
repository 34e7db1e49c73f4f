"""Reliability checks of `genzoo hub serve` at larger scale than the tests, with a summary table.

1. concurrency  many clients download (raw HTTP and the real hf_hub_download) while writers commit;
                every byte is checked against its sha256.
2. crash        a writer commits in a loop; the server is SIGKILLed at random moments (and, every third
                run, inside the commit's critical window via GENZOO_HUB_TEST_PAUSE_IN_COMMIT); after
                each restart every acknowledged commit must still resolve, the head must be complete
                and downloadable, and fsck must pass.
3. corruption   a referenced blob is damaged on disk in various ways (bit flip, stealthy flip with mtime
                restored, truncation, extension, zero-fill, deletion); it must be refused (409
                DataCorrupted, never wrong bytes), found by fsck, and repaired by re-uploading it.

Every phase has a time budget, so the whole run is bounded (default about two minutes).

    python scripts/hub_reliability.py [--clients 64] [--kills 12] [--corruptions 12]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "core" / "src"), str(REPO / "hub" / "src")]  # the code in this checkout

import httpx  # noqa: E402

from genzoo_hub import fsck, import_folder  # noqa: E402
from genzoo_hub.process import HubProcess  # noqa: E402

WRITE_TOKEN = "reliability-write-token-000"
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}


def start_server(root: Path, log: Path, env: dict[str, str] | None = None) -> HubProcess:
    return HubProcess(root, log, tokens={WRITE_TOKEN: "write"}, env=env)


def published(work: Path, phase: str, repo: str, files: dict[str, bytes]) -> Path:
    """A fresh storage root for one phase, holding `files` imported as genzoo/<repo>."""
    src = work / f"{phase}-src" / repo
    src.mkdir(parents=True)
    for name, data in files.items():
        (src / name).write_bytes(data)
    root = work / f"{phase}-root"
    import_folder(root, src.parent)
    return root


def payload(seed: str, size: int) -> bytes:
    block = hashlib.sha256(seed.encode()).digest()
    return (block * (size // 32 + 1))[:size]


def commit(url: str, repo_id: str, summary: str, files: dict[str, bytes], timeout: float = 30) -> str:
    lines = [{"key": "header", "value": {"summary": summary}}] + [
        {"key": "file", "value": {"path": p, "content": base64.b64encode(d).decode(), "encoding": "base64"}}
        for p, d in files.items()
    ]
    response = httpx.post(
        f"{url}/api/models/{repo_id}/commit/main",
        content=b"".join(json.dumps(line).encode() + b"\n" for line in lines),
        headers={"Content-Type": "application/x-ndjson", **AUTH},
        timeout=timeout,
    )
    response.raise_for_status()
    return response.json()["commitOid"]


class Results:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, int, str]] = []

    def add(self, check: str, runs: int, failures: int, notes: str) -> None:
        self.rows.append((check, runs, failures, notes))
        print(f"  {check}: {runs} runs, {failures} failures ({notes})", flush=True)

    def table(self) -> str:
        lines = [f"| {'check':38} | {'runs':>6} | {'failed':>6} | notes", f"|{'-' * 40}|{'-' * 8}|{'-' * 8}|{'-' * 40}"]
        lines += [f"| {c:38} | {r:6} | {f:6} | {n}" for c, r, f, n in self.rows]
        return "\n".join(lines)


def concurrency(work: Path, results: Results, clients: int, budget: float) -> None:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()
    files = {"shared.bin": payload("shared", 20 << 20)}
    files.update({f"part-{i:02d}.bin": payload(f"part{i}", random.randint(1, 4 << 20)) for i in range(16)})
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    root = published(work, "conc", "data", files)
    server = start_server(root, work / "concurrency.log")
    httpx.post(f"{server.url}/api/repos/create", json={"name": "scratch", "organization": "genzoo"}, headers=AUTH)
    deadline = time.monotonic() + budget
    errors: list[str] = []
    counts = {"downloads": 0, "bytes": 0, "commits": 0}
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(timeout=60) as http:
            for round_ in range(4):
                if time.monotonic() > deadline:
                    return
                name = "shared.bin" if round_ == 0 else rng.choice(sorted(files))
                try:
                    if index % 4 == 0:  # a quarter of the clients are the real huggingface_hub client
                        path = hf_hub_download("genzoo/data", name, endpoint=server.url, token=False,
                                               cache_dir=work / "conc-cache" / f"{index}-{round_}")
                        data = Path(path).read_bytes()
                    else:
                        response = http.get(f"{server.url}/genzoo/data/resolve/main/{name}")
                        response.raise_for_status()
                        data = response.content
                except Exception as exc:  # noqa: BLE001 - every failure is a finding, recorded below
                    with lock:
                        errors.append(f"{name}: {exc!r}")
                    continue
                with lock:
                    counts["downloads"] += 1
                    counts["bytes"] += len(data)
                    if hashlib.sha256(data).hexdigest() != expected[name]:
                        errors.append(f"{name}: content mismatch")

    def writer(index: int) -> None:
        for step in range(10):
            if time.monotonic() > deadline:
                return
            try:
                commit(server.url, "genzoo/scratch", f"w{index}-{step}", {f"w{index}/{step}.txt": b"%d" % step})
                with lock:
                    counts["commits"] += 1
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append(f"commit: {exc!r}")

    started = time.monotonic()
    with ThreadPoolExecutor(clients + 4) as pool:
        for future in [pool.submit(client, i) for i in range(clients)] + [pool.submit(writer, i) for i in range(4)]:
            future.result()
    elapsed = time.monotonic() - started
    tree = httpx.get(f"{server.url}/api/models/genzoo/scratch/tree/main?recursive=true").json()
    if len([e for e in tree if e["type"] == "file"]) != counts["commits"]:
        errors.append("concurrent commits lost updates")
    server.stop()
    for error in errors[:5]:
        print("   ", error)
    results.add(f"concurrency ({clients} clients + 4 writers)", counts["downloads"] + counts["commits"], len(errors),
                f"{counts['bytes'] / 1e6:.0f} MB verified, {counts['commits']} commits, {elapsed:.1f} s")


def crash(work: Path, results: Results, kills: int, budget: float) -> None:
    root = work / "crash-root"
    src = work / "crash-src" / "crashy"
    src.mkdir(parents=True)
    (src / "base.bin").write_bytes(payload("base", 1 << 20))
    import_folder(root, src.parent)
    acknowledged: list[tuple[str, int]] = []  # (commit id, step) confirmed by a 200 answer
    failures, runs, in_window = 0, 0, 0
    deadline = time.monotonic() + budget
    step = 0
    while runs < kills and time.monotonic() < deadline:
        runs += 1
        paused = runs % 3 == 0
        server = start_server(root, work / "crash.log", env={"GENZOO_HUB_TEST_PAUSE_IN_COMMIT": "30"} if paused else None)
        stop = threading.Event()

        def write_loop(url: str = server.url) -> None:
            nonlocal step
            while not stop.is_set():
                step += 1
                files = {
                    f"steps/{step}.bin": payload(f"step{step}", random.randint(1, 300_000)),
                    "latest.txt": b"%d" % step,
                }
                try:
                    acknowledged.append((commit(url, "genzoo/crashy", f"step {step}", files, timeout=60), step))
                except httpx.HTTPError:
                    return  # the server died under us: this commit was never acknowledged

        writer = threading.Thread(target=write_loop)
        writer.start()
        if paused:  # kill exactly inside the window: record durable, ref not moved
            commits_dir = root / "repos" / "genzoo" / "crashy" / "commits"
            before = len(list(commits_dir.glob("*.json")))
            wait_until = time.monotonic() + 10
            while len(list(commits_dir.glob("*.json"))) == before and time.monotonic() < wait_until:
                time.sleep(0.01)
            in_window += 1
        else:
            time.sleep(random.uniform(0.05, 1.0))
        server.kill()
        stop.set()
        writer.join(30)

        restarted = start_server(root, work / "crash.log")
        problems = verify_crashy(restarted.url, acknowledged)
        restarted.stop()
        report = fsck(root)
        if not report.ok:
            problems.append(report.summary())
        if problems:
            failures += 1
            print(f"   run {runs}: {problems[:3]}")
    results.add("SIGKILL during commits, restart", runs, failures,
                f"{len(acknowledged)} acknowledged commits all kept; {in_window} kills inside the commit window")


def verify_crashy(url: str, acknowledged: list[tuple[str, int]]) -> list[str]:
    problems = []
    with httpx.Client(timeout=30) as http:
        head = http.get(f"{url}/api/models/genzoo/crashy").json()["sha"]
        for commit_id, _ in acknowledged:
            if http.get(f"{url}/api/models/genzoo/crashy/revision/{commit_id}").status_code != 200:
                problems.append(f"acknowledged commit {commit_id} lost")
        tree = http.get(f"{url}/api/models/genzoo/crashy/tree/{head}?recursive=true").json()
        for entry in (e for e in tree if e["type"] == "file"):
            data = http.get(f"{url}/genzoo/crashy/resolve/{head}/{entry['path']}").content
            if hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() != entry["oid"]:
                problems.append(f"{entry['path']} at head is incomplete or wrong")
        if acknowledged:
            latest = http.get(f"{url}/genzoo/crashy/resolve/main/latest.txt").content
            if int(latest) < acknowledged[-1][1]:
                problems.append("head is older than the last acknowledged commit")
    return problems


CORRUPTIONS = ["flip", "stealth-flip", "truncate", "extend", "zero-fill", "delete"]


def damage(path: Path, kind: str, rng: random.Random) -> None:
    st = path.stat()
    if kind == "delete":
        path.unlink()
        return
    path.chmod(0o644)
    with open(path, "r+b") as f:
        if kind in ("flip", "stealth-flip"):
            offset = rng.randrange(st.st_size)
            f.seek(offset)
            byte = f.read(1)[0]
            f.seek(offset)
            f.write(bytes([byte ^ (1 << rng.randrange(8))]))
        elif kind == "truncate":
            f.truncate(rng.randrange(st.st_size))
        elif kind == "extend":
            f.seek(0, os.SEEK_END)
            f.write(b"\0")
        else:
            f.write(b"\0" * st.st_size)
    if kind == "stealth-flip":
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def corruption(work: Path, results: Results, count: int, budget: float) -> None:
    rng = random.Random(7)
    files = {f"f{i}.bin": payload(f"c{i}", rng.randint(1000, 3 << 20)) for i in range(6)}
    root = published(work, "corrupt", "fragile", files)
    server = start_server(root, work / "corruption.log")
    failures, runs = 0, 0
    deadline = time.monotonic() + budget
    with httpx.Client(timeout=30) as http:
        for name in files:  # cache an "intact" verdict first, so detection cannot rely on a cold cache
            http.get(f"{server.url}/genzoo/fragile/resolve/main/{name}")
        while runs < count and time.monotonic() < deadline:
            kind = CORRUPTIONS[runs % len(CORRUPTIONS)]
            runs += 1
            name = rng.choice(sorted(files))
            sha = hashlib.sha256(files[name]).hexdigest()
            damage(root / "blobs" / sha[:2] / sha, kind, rng)
            problems = []
            for method in ("HEAD", "GET"):
                response = http.request(method, f"{server.url}/genzoo/fragile/resolve/main/{name}")
                if response.status_code != 409 or response.headers.get("x-error-code") != "DataCorrupted":
                    problems.append(f"{kind}: {method} answered {response.status_code}")
            if sha not in fsck(root).corrupted_blobs + fsck(root).missing_blobs:
                problems.append(f"{kind}: fsck missed it")
            commit(server.url, "genzoo/fragile", f"repair {name}", {name: files[name]})
            if http.get(f"{server.url}/genzoo/fragile/resolve/main/{name}").content != files[name]:
                problems.append(f"{kind}: not repaired by re-upload")
            if problems:
                failures += 1
                print("   ", problems)
    server.stop()
    results.add("blob corruption detected + repaired", runs, failures, ", ".join(CORRUPTIONS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--corruptions", type=int, default=12)
    parser.add_argument("--budget", type=float, default=40, help="seconds per phase (upper bound)")
    args = parser.parse_args()
    results = Results()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("concurrency...", flush=True)
        concurrency(work, results, args.clients, args.budget)
        print("crash...", flush=True)
        crash(work, results, args.kills, args.budget)
        print("corruption...", flush=True)
        corruption(work, results, args.corruptions, args.budget)
    print(f"\n{results.table()}\n\ntotal {time.monotonic() - started:.0f} s")
    return 1 if any(failures for _, _, failures, _ in results.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
