"""A two-player step (WGAN with clipping, n_critic=5, an lr per group) killed mid-run with SIGKILL
and resumed: the end state is bit for bit the one of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file

from genzoo.training import train

SETTINGS = {"steps": 8, "batch_size": 16, "lr": 1e-3, "log_every": 2, "checkpoint_every": 3, "sample_every": None,
            "device": "cpu", "groups": {"critic": {"lr": 0.02}, "generator": {"lr": 0.005}}}
STEP = {"n_critic": 5, "clip": 0.0625}  # a power of two: clipped float32 weights compare exactly
UPDATES_PER_STEP = 6
STATE_FILES = ("model.safetensors", "optimizer.safetensors", "step_state.safetensors", "rng.safetensors")


def _cli_args(out: Path) -> list[str]:
    words = ["train", "toy-wgan", "--data", "ring", "--out", str(out), "--no-progress",
             "--set", f"step.n_critic={STEP['n_critic']}", "--set", f"step.clip={STEP['clip']}"]
    for key, value in SETTINGS.items():
        if key != "groups":
            words += ["--set", f"train.{key}={json.dumps(value) if value is not None else 'null'}"]
    for group, values in SETTINGS["groups"].items():
        words += ["--set", f"train.groups.{group}.lr={values['lr']}"]
    return words


def test_a_killed_two_player_run_resumes_bit_exactly(tmp_path, two_player):
    straight = train("toy-wgan", data="ring", out=tmp_path / "straight", train=SETTINGS, step=STEP, progress=False)
    calls = two_player.TRIGGERS["calls"]
    # Each step: 5 x (critic loss, critic after_update), then the generator's pair.
    assert calls[:2 * UPDATES_PER_STEP] == [("loss", "critic"), ("after", "critic")] * 5 + [
        ("loss", "generator"), ("after", "generator")]
    assert len(calls) == 2 * UPDATES_PER_STEP * SETTINGS["steps"]

    # The same run as a `genzoo train` process, killed by SIGKILL during step 5 (last checkpoint: step 3).
    out = tmp_path / "killed"
    kill_at = 2 * UPDATES_PER_STEP * 4 + 5  # the third loss call of step 5 (calls count losses and after_updates)
    env = {**os.environ, "TWO_PLAYER_KILL_AT": str(kill_at), "OMP_NUM_THREADS": str(torch.get_num_threads())}
    entry = Path(__file__).parent / "ddp_entry.py"
    done = subprocess.run([sys.executable, str(entry), *_cli_args(out)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert json.loads((out / "train" / "state" / "state.json").read_text())["step"] == 3

    two_player.TRIGGERS.clear()
    resumed = train("toy-wgan", data="ring", out=out, train=SETTINGS, step=STEP, resume=True, progress=False)
    assert len(two_player.TRIGGERS["calls"]) == 2 * UPDATES_PER_STEP * (SETTINGS["steps"] - 3)
    assert resumed.metrics == straight.metrics
    for name in STATE_FILES:
        expected, actual = (load_file(folder / "train" / "state" / name) for folder in (tmp_path / "straight", out))
        assert expected.keys() == actual.keys(), name
        assert all(torch.equal(expected[k], actual[k]) for k in expected), name

    state = json.loads((out / "train" / "state" / "state.json").read_text())
    assert [g["lr"] for g in state["optimizers"]["critic"]["param_groups"]] == [0.02]
    assert [g["lr"] for g in state["optimizers"]["generator"]["param_groups"]] == [0.005]
    step_state = load_file(out / "train" / "state" / "step_state.safetensors")
    assert step_state["critic_updates"].item() == STEP["n_critic"] * SETTINGS["steps"]
    assert step_state["last_fake"].shape == (SETTINGS["batch_size"], 2)
    weights = load_file(out / "train" / "state" / "model.safetensors")
    assert max(weights[k].abs().max().item() for k in weights if k.startswith("critic.")) <= STEP["clip"]
