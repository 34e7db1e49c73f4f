"""Real packages installed beside the first-party families: a scaffolded one and a broken one."""

import sys

import pytest

from .conftest import ROOT, install_to, run_with

pytestmark = pytest.mark.slow


def test_broken_plugin_installed_beside_the_others(tmp_path, genzoo_cli):
    site = install_to(tmp_path / "site", ROOT / "tests" / "install" / "broken_plugin")
    listing = run_with(site, genzoo_cli, "list")
    assert listing.returncode == 0, listing.stderr
    assert "gaussian" in listing.stdout
    assert "plugin 'broken' skipped: import failed: ImportError" in listing.stderr
    assert len(listing.stderr.strip().splitlines()) == 1 and "Traceback" not in listing.stderr
    doctor = run_with(site, genzoo_cli, "doctor")
    assert doctor.returncode == 1
    assert "plugin broken" in doctor.stdout and "genzoo-broken cannot import its own dependency" in doctor.stdout


def test_new_plugin_installs_passes_its_tests_and_is_listed(tmp_path, genzoo_cli):
    created = run_with(tmp_path, genzoo_cli, "new-plugin", "demo", "--directory", str(tmp_path))
    assert created.returncode == 0, created.stderr
    package = tmp_path / "genzoo-demo"
    site = install_to(tmp_path / "site", package)
    tests = run_with(site, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests"), cwd=package)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "6 passed, 2 skipped" in tests.stdout  # the scaffold is neither conditional nor an encoder
    listing = run_with(site, genzoo_cli, "list", "--family", "demo")
    assert listing.returncode == 0 and "demo-gaussian" in listing.stdout
    plugins = run_with(site, genzoo_cli, "plugins")
    assert "genzoo-demo" in plugins.stdout


def test_new_plugin_refuses_bad_names_and_existing_folders(tmp_path, genzoo_cli):
    bad = run_with(tmp_path, genzoo_cli, "new-plugin", "Bad_Name", "--directory", str(tmp_path))
    assert bad.returncode == 1 and "invalid plugin name" in bad.stderr
    (tmp_path / "genzoo-taken").mkdir()
    taken = run_with(tmp_path, genzoo_cli, "new-plugin", "taken", "--directory", str(tmp_path))
    assert taken.returncode == 1 and "already exists" in taken.stderr
