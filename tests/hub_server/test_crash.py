"""SIGKILL inside a commit (between the durable commit record and the ref update), then restart."""

from __future__ import annotations

import base64
import json
import threading
import time

import httpx
import pytest
from huggingface_hub.errors import RevisionNotFoundError

from genzoo_hub import fsck, import_folder

V1 = {"config.json": b'{"v": 1}', "weights.bin": b"\x01" * 100_000}


def _ndjson(summary: str, files: dict[str, bytes]) -> bytes:
    lines = [{"key": "header", "value": {"summary": summary, "description": ""}}]
    lines += [
        {"key": "file", "value": {"path": p, "content": base64.b64encode(d).decode(), "encoding": "base64"}}
        for p, d in files.items()
    ]
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def test_sigkill_mid_commit_keeps_previous_revision(spawn, source, tmp_path):
    root = tmp_path / "root"
    [(repo_id, v1)] = import_folder(root, source("model", V1))
    commits_dir = root / "repos" / "genzoo" / "model" / "commits"
    server = spawn(root, env={"GENZOO_HUB_TEST_PAUSE_IN_COMMIT": "60"})

    outcome: list[object] = []

    def push() -> None:
        try:
            outcome.append(
                httpx.post(
                    f"{server.endpoint}/api/models/{repo_id}/commit/main",
                    content=_ndjson("v2", {"config.json": b'{"v": 2}', "weights.bin": b"\x02" * 100_000}),
                    headers={"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {server.write_token}"},
                    timeout=60,
                )
            )
        except httpx.HTTPError as exc:
            outcome.append(exc)

    pusher = threading.Thread(target=push)
    pusher.start()
    deadline = time.monotonic() + 20
    while len(list(commits_dir.glob("*.json"))) < 2:  # the v2 record is durable, the ref not yet moved
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.02)
    [orphan] = {p.stem for p in commits_dir.glob("*.json")} - {v1}
    server.kill()
    pusher.join(10)
    assert isinstance(outcome[0], httpx.HTTPError)  # the client never got an acknowledgement

    restarted = spawn(root)
    assert restarted.api.model_info(repo_id).sha == v1
    assert restarted.api.list_repo_refs(repo_id).branches[0].target_commit == v1
    assert {name: restarted.download(repo_id, name) for name in V1} == V1
    with pytest.raises(RevisionNotFoundError):  # recovery removed the unreachable record
        restarted.api.model_info(repo_id, revision=orphan)
    assert not (commits_dir / f"{orphan}.json").exists()
    assert not list((root / "tmp").iterdir())

    # The repo still takes commits after the crash.
    response = httpx.post(
        f"{restarted.endpoint}/api/models/{repo_id}/commit/main",
        content=_ndjson("v2 again", {"config.json": b'{"v": 2}'}),
        headers={"Content-Type": "application/x-ndjson", "Authorization": f"Bearer {restarted.write_token}"},
    )
    assert response.status_code == 200
    assert restarted.download(repo_id, "config.json") == b'{"v": 2}'
    assert restarted.download(repo_id, "config.json", revision=v1) == V1["config.json"]
    restarted.stop()
    assert fsck(root).ok
