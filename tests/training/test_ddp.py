"""The same `genzoo train` command under torchrun with 2 CPU processes (DDP over gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

import genzoo
from genzoo.training import train

ARGS = ["--set", "steps=10", "--set", "batch_size=32", "--set", "lr=0.05", "--set", "log_every=5",
        "--set", "checkpoint_every=5", "--set", "sample_every=10", "--set", "device=cpu", "--set", "step.jitter=0.0"]


def test_two_processes_train_like_one(tmp_path, tiny):
    out = tmp_path / "ddp"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
               str(Path(__file__).parent / "ddp_entry.py"), "train", "diag-gaussian", "--data", "blobs", *ARGS,
               "--out", str(out), "--no-progress"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("wrote") == 1  # only rank 0 speaks
    model = genzoo.load(out)
    records = [json.loads(line) for line in (out / "train" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [5, 10] and records[1]["loss"] < records[0]["loss"]
    assert json.loads((out / "train" / "state" / "state.json").read_text())["world_size"] == 2
    assert "torchrun --nproc_per_node=2" in (out / "README.md").read_text()
    # Gradients averaged over two half-batches equal the full-batch gradient: same run as one process.
    single = train("diag-gaussian", data="blobs", out=tmp_path / "single", step={"jitter": 0.0}, progress=False,
                   train=tiny(steps=10, batch_size=32, log_every=5, checkpoint_every=5, sample_every=10))
    reference = load_file(single.path / "model.safetensors")
    for name, tensor in model.state_dict().items():
        assert torch.allclose(tensor, reference[name], atol=1e-5), name
