"""A fresh virtualenv with core and one family: `genzoo list` shows only that family.

Listing needs no torch (specs carry import paths), so the venv gets genzoo's light dependencies
only, which keeps this a real install that runs in seconds.
"""

import json
import subprocess
import sys

import pytest

from .conftest import ROOT, build_wheels, pip

pytestmark = pytest.mark.slow
LIGHT_DEPENDENCIES = ["pluggy", "pydantic>=2.5,<3", "click>=8.1"]


def test_core_plus_one_family(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    pip("install", *LIGHT_DEPENDENCIES, python=python)
    wheels = build_wheels(tmp_path / "wheels", ROOT / "core", ROOT / "plugins" / "explicit-likelihood")
    pip("install", "--no-deps", *wheels, python=python)
    genzoo = str(venv / "bin" / "genzoo")

    listing = subprocess.run([genzoo, "list", "--json"], capture_output=True, text=True, check=True)
    rows = json.loads(listing.stdout)
    # Core's own models (the evaluation classifiers) are always there; of the families, only one.
    assert {row["family"] for row in rows if row["plugin"] != "genzoo"} == {"explicit-likelihood"}
    assert listing.stderr == ""

    plugins = subprocess.run([genzoo, "plugins"], capture_output=True, text=True, check=True).stdout
    assert "explicit-likelihood" in plugins and "loaded" in plugins
    for family in ("latent-variable", "adversarial", "diffusion"):
        assert f"not installed: {family} (pip install genzoo-{family})" in plugins
