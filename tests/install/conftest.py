"""Helpers for tests that build and install real packages (wheels built with pip)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pip(*args: str, python: str | None = None) -> None:
    """Run this venv's pip; with `python`, acting on that interpreter's environment (a venv made
    --without-pip, which saves the ~8 s of ensurepip)."""
    target = ["--python", python] if python else []
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *target, *args], check=True)


def build_isolation() -> list[str]:
    """Build with the venv's own hatchling when it has one: an isolated build env costs ~10 s per install."""
    import importlib.util

    return ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []


def build_wheels(folder: Path, *sources: Path) -> list[str]:
    """Build wheels of local packages here (with this venv's hatchling when it has one); their paths."""
    pip("wheel", "--no-deps", *build_isolation(), "--wheel-dir", str(folder), *map(str, sources))
    return sorted(str(wheel) for wheel in folder.glob("*.whl"))


def install_to(target: Path, *sources: Path) -> Path:
    """pip-install packages (no dependencies) into a folder that a subprocess puts on PYTHONPATH."""
    pip("install", "--no-deps", *build_isolation(), "--target", str(target), *map(str, sources))
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
