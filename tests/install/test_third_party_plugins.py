"""Real packages installed beside the first-party families: a scaffolded one, a broken one, a faulty one."""

import shutil
import sys

import pytest

from .conftest import ROOT, install_to, run_with

pytestmark = pytest.mark.slow


def test_new_plugin_installs_passes_its_tests_trains_and_is_listed(tmp_path, genzoo_cli):
    created = run_with(tmp_path, genzoo_cli, "new-plugin", "demo", "--directory", str(tmp_path))
    assert created.returncode == 0, created.stderr
    package = tmp_path / "genzoo-demo"
    site = install_to(tmp_path / "site", package)
    pytest = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider"]
    tests = run_with(site, *pytest, str(package / "tests"), cwd=package)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    for check in ("test_exact_log_prob_normalises[demo-gaussian]", "test_spec_matches_model_class[demo-gaussian]",
                  "test_architectures_are_collected", "test_training.py::test_trains_for_a_few_steps_and_reloads"):
        assert any(line.startswith("PASSED ") and check in line for line in tests.stdout.splitlines()), tests.stdout
    trained = run_with(site, genzoo_cli, "train", "demo-gaussian", "--data", "8gaussians", "--set", "train.steps=5",
                       "--no-progress", "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert trained.returncode == 0, trained.stdout + trained.stderr
    assert (tmp_path / "run" / "model.safetensors").is_file()
    listing = run_with(site, genzoo_cli, "list", "--family", "demo")
    assert listing.returncode == 0 and "demo-gaussian" in listing.stdout
    plugins = run_with(site, genzoo_cli, "plugins")
    assert "genzoo-demo" in plugins.stdout


def test_new_plugin_refuses_bad_names_and_existing_folders(tmp_path, genzoo_cli):
    bad = run_with(tmp_path, genzoo_cli, "new-plugin", "Bad_Name", "--directory", str(tmp_path))
    assert bad.returncode == 2 and "invalid plugin name" in bad.stderr
    (tmp_path / "genzoo-taken").mkdir()
    taken = run_with(tmp_path, genzoo_cli, "new-plugin", "taken", "--directory", str(tmp_path))
    assert taken.returncode == 1 and "already exists" in taken.stderr


def test_broken_and_faulty_plugins_installed_beside_the_others(tmp_path, genzoo_cli):
    """A plugin that cannot import, and one package with four mistakes that the kit or doctor must name."""
    source = ROOT / "tests" / "install" / "faulty_plugin"
    site = install_to(tmp_path / "site", ROOT / "tests" / "install" / "broken_plugin", source)

    listing = run_with(site, genzoo_cli, "list")
    assert listing.returncode == 0, listing.stderr
    assert "gaussian" in listing.stdout
    warnings = listing.stderr.strip().splitlines()  # one line per skipped plugin, no traceback
    assert len(warnings) == 2 and "Traceback" not in listing.stderr
    assert "plugin 'broken' skipped: import failed: ImportError" in warnings[0]
    assert "plugin 'faulty-typo' skipped: unknown hook genzoo_architecture()" in warnings[1]

    doctor = run_with(site, genzoo_cli, "doctor", "--deep")
    assert doctor.returncode == 1
    assert "plugin broken" in doctor.stdout and "genzoo-broken cannot import its own dependency" in doctor.stdout
    assert "unknown hook genzoo_architecture() (did you mean genzoo_architectures?)" in doctor.stdout
    wrong_trainer = ("cannot import trainers['nll']='genzoo_faulty.paths:NllStep' (AttributeError: module "
                     "'genzoo_faulty.paths' has no attribute 'NllStep'); fix the path in the spec's trainers['nll']")
    assert wrong_trainer in doctor.stdout

    kit = tmp_path / "kit"
    kit.mkdir()
    shutil.copy(source / "kit_checks.py", kit)  # outside the repository: no pytest config of ours applies
    pytest = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider"]
    run = run_with(site, *pytest, "kit_checks.py", cwd=kit)
    assert run.returncode == 1, run.stdout
    failed = {line.split(" - ")[0] for line in run.stdout.splitlines() if line.startswith("FAILED ")}
    assert failed == {
        "FAILED kit_checks.py::TestFlow::test_exact_log_prob_normalises[faulty-flow-flipped]",
        "FAILED kit_checks.py::TestPaths::test_exact_log_prob_normalises[faulty-paths]",
        "FAILED kit_checks.py::TestPaths::test_import_paths_resolve[faulty-paths]",
        "FAILED kit_checks.py::TestNothing::test_architectures_are_collected",
    }, run.stdout
    assert "exp(log_prob) integrates to 9" in run.stdout and "check the sign of log-determinants" in run.stdout
    assert "no architecture of family 'faulty-nothing' is registered: is the plugin installed" in run.stdout
    assert "faulty-typo (genzoo-faulty): failed: unknown hook genzoo_architecture()" in run.stdout
    assert "fix the path in the spec's trainers['nll']" in run.stdout
