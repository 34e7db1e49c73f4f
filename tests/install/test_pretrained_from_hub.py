"""What a pip user gets: wheels of genzoo and one family in a fresh venv, no repo on disk or on the path.

`HF_ENDPOINT` points at a `genzoo hub serve` that imported `registry/` under the `genzoo` namespace
and tagged it with the revision the cards pin: `genzoo.load("vae-moons")` works. With the server
down and nothing cached, one line says where the weights live and how to bring them here; a
bundle made by `genzoo pull --to` on the connected machine then loads with `GENZOO_HUB=DIR`.
"""

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from genzoo_hub.process import HubProcess

from .conftest import ROOT, build_wheels, pip

pytestmark = pytest.mark.slow
TAG = "v0.2.0"  # the revision every catalog pins
LOAD = ("import genzoo, torch; m = genzoo.load('vae-moons'); "
        "x = m.sample(4, generator=torch.Generator().manual_seed(0)); print(tuple(x.shape), genzoo.__file__)")


def _dependencies_without_genzoo(target: Path) -> Path:
    """This venv's third-party packages (torch, huggingface_hub, ...) linked into a folder, minus every
    genzoo distribution and .pth file: the fresh venv gets them without downloading torch, and without
    the editable installs that would put the repo on its path."""
    target.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if entry.name.startswith(("genzoo", "_editable_impl_genzoo", "__editable__")) or entry.suffix == ".pth":
            continue
        (target / entry.name).symlink_to(entry)
    return target


def _fresh_venv(tmp_path: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    wheels = build_wheels(tmp_path / "wheels", ROOT / "core", ROOT / "plugins" / "latent-variable")
    pip("install", "--no-deps", *wheels, python=str(python))
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(f"{_dependencies_without_genzoo(tmp_path / 'deps')}\n")
    return venv


def _user(venv: Path, home: Path, *command: str, **env: str) -> subprocess.CompletedProcess:
    """A command as the user runs it: from an empty folder, a clean environment, a private HF cache."""
    home.mkdir(exist_ok=True)
    clean = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(home), "HF_HOME": str(home / "hf"),
             "HF_HUB_DISABLE_TELEMETRY": "1", "GENZOO_CACHE": str(home / "genzoo"), "OMP_NUM_THREADS": "1", **env}
    return subprocess.run(command, capture_output=True, text=True, cwd=home, env=clean, timeout=300)


def test_pip_user_loads_a_pretrained_name_from_a_hub_then_offline(tmp_path):
    venv = _fresh_venv(tmp_path)
    python, genzoo = str(venv / "bin" / "python"), str(venv / "bin" / "genzoo")
    server = HubProcess(tmp_path / "hub-root", tmp_path / "hub.log", tokens={},
                        args=["--import", str(ROOT / "registry"), "--import-tag", TAG], startup_timeout=120)
    try:
        loaded = _user(venv, tmp_path / "user", python, "-c", LOAD, HF_ENDPOINT=server.url)
        assert loaded.returncode == 0, loaded.stderr
        assert loaded.stdout.startswith("(4, 2) ") and str(venv) in loaded.stdout  # the wheel, not the repo
        pulled = _user(venv, tmp_path / "user", genzoo, "pull", "vae-moons", "--to", str(tmp_path / "bundle"),
                       HF_ENDPOINT=server.url)
        assert pulled.returncode == 0, pulled.stderr
    finally:
        server.stop()

    for offline in ({}, {"HF_HUB_OFFLINE": "1"}):
        failed = _user(venv, tmp_path / f"fresh-user{len(offline)}", genzoo, "sample", "vae-moons", "-n", "4", "-o",
                       "s.npy", HF_ENDPOINT=server.url, **offline)
        assert failed.returncode == 1 and len(failed.stderr.splitlines()) == 1, failed.stderr
        assert failed.stderr.startswith(f"error: vae-moons: the weights live at https://huggingface.co/genzoo/vae-moons"
                                        f" (revision {TAG})")
        assert "genzoo pull vae-moons --to DIR`, copy DIR here and set GENZOO_HUB=DIR" in failed.stderr
        print(failed.stderr, end="")

    from_bundle = _user(venv, tmp_path / "air-gapped", python, "-c", LOAD, GENZOO_HUB=str(tmp_path / "bundle"),
                        HF_HUB_OFFLINE="1")
    assert from_bundle.returncode == 0, from_bundle.stderr
    no_registry = _user(venv, tmp_path / "user", python, "-c",
                        "from genzoo.hub.client import bundled_registry; print(bundled_registry())")
    assert no_registry.stdout == "None\n"  # a wheel has no bundled registry: every load above came from a hub
