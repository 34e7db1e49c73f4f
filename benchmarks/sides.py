"""What the throughput benchmarks share: one side's worker run in a fresh process, and the probe of an
anchor library's own venv (the anchors never share genzoo's venv, so neither side can change the other's
torch). Scripts import it as `sides` (python puts benchmarks/ on the path when one runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def genzoo_env() -> dict[str, str]:
    """This environment with the checkout's core/src first on PYTHONPATH (the genzoo side's worker)."""
    path = os.pathsep.join(filter(None, [str(ROOT / "core" / "src"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def anchor_env() -> dict[str, str]:
    """This environment without genzoo's PYTHONPATH and VIRTUAL_ENV (an anchor's venv python)."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def synchronize(device) -> None:
    """Wait for a torch device's queued kernels, so that a clock measures them (CUDA runs asynchronously)."""
    if device.type == "cuda":
        import torch

        torch.cuda.synchronize(device)


def run_worker(side: str, command: Sequence, env: dict[str, str], threads: int) -> dict:
    """Run one side's worker with `threads` OpenMP/MKL threads; its last stdout line is its JSON result.
    A failed worker exits the benchmark with its stderr's tail."""
    env = {**env, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    done = subprocess.run([str(part) for part in command], check=False, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"{side} worker failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def probe_venv(python: Path, *, what: str, option: str, code: str, setup: str) -> str:
    """The stdout of `code` run by an anchor's venv `python`, or exit with one line saying how to set the
    venv up (`option` is the flag that points at another venv)."""
    if not python.exists():
        sys.exit(f"no {what} venv at {python} (pass {option}); set it up with: {setup}")
    probe = subprocess.run([str(python), "-c", code], check=False, capture_output=True, text=True, env=anchor_env())
    if probe.returncode != 0:
        error = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        sys.exit(f"{python} cannot run {what} ({error}); set up its venv with: {setup}")
    return probe.stdout.strip()
