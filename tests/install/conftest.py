"""Helpers for tests that build and install real packages (wheels built with pip)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pip(*args: str, python: str = sys.executable) -> None:
    subprocess.run([python, "-m", "pip", "--disable-pip-version-check", "-q", *args], check=True)


def _build_isolation() -> list[str]:
    """Build with the venv's own hatchling when it has one: an isolated build env costs ~10 s per install."""
    import importlib.util

    return ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []


def install_to(target: Path, *sources: Path) -> Path:
    """pip-install packages (no dependencies) into a folder that a subprocess puts on PYTHONPATH."""
    pip("install", "--no-deps", *_build_isolation(), "--target", str(target), *map(str, sources))
    return target


def run_with(path: Path, *command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a command with `path` prepended to PYTHONPATH, so entry points found there are loaded."""
    env = {**os.environ, "PYTHONPATH": str(path), "HF_HUB_DISABLE_TELEMETRY": "1",
           "GENZOO_CACHE": str(path.parent / "genzoo-cache"), "OMP_NUM_THREADS": "1"}
    env.pop("GENZOO_PLUGINS", None)
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.fixture
def genzoo_cli() -> str:
    return str(Path(sys.executable).with_name("genzoo"))
