"""`genzoo datasets` and dataset names on the command line (training on a folder of PNGs end to end is
tests/training/test_cli.py::test_a_vae_trains_on_a_folder_of_pngs)."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.specs import DatasetSpec


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_table_lists_fields_splits_and_missing_data(monkeypatch):
    monkeypatch.delenv("GENZOO_DATA", raising=False)
    result = run("datasets")
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.output.splitlines()
    assert header.split() == ["NAME", "FIELDS", "SPLITS", "STATUS", "DESCRIPTION"] and set(rule) <= {"-", " "}
    digits = next(row for row in rows if row.startswith("digits "))
    assert "x (1, 8, 8) continuous 17 levels in [0, 1]; label 10 classes" in digits and "train 1,437, test 360" in digits
    assert "ready" in digits
    mnist = next(row for row in rows if row.startswith("mnist "))
    assert "data missing (see below)" in mnist and "train 60,000, test 10,000" in mnist
    assert any(row.startswith("mnist: MNIST IDX files not found") for row in rows)
    assert "folder:PATH" in rows[-1] and "npz:FILE" in rows[-1]


def test_json_and_pattern(monkeypatch, tmp_path):
    monkeypatch.setenv("GENZOO_DATA", str(tmp_path))
    rows = json.loads(run("datasets", "mn*", "--json").output)["datasets"]
    assert "mnist" in [row["name"] for row in rows] and all(row["name"].startswith("mn") for row in rows)
    mnist = next(row for row in rows if row["name"] == "mnist")
    assert str(tmp_path) in mnist["missing"]
    assert mnist["fields"]["label"]["shape"] == [] and mnist["splits"] == {"train": 60_000, "test": 10_000}
    nothing = run("datasets", "zz*")
    assert nothing.exit_code == 0 and "no datasets match 'zz*'" in nothing.output
    misspelled = run("datasets", "mnst")
    assert misspelled.exit_code == 2 and "unknown dataset 'mnst'; did you mean 'mnist'" in misspelled.output


def test_a_broken_availability_check_is_reported_not_raised(monkeypatch):
    genzoo.reset_registry()
    registry = genzoo.get_registry()
    monkeypatch.setitem(registry.datasets, "broken", DatasetSpec(name="broken", target="nowhere:factory",
                                                                 missing="genzoo.no_such_module:check"))
    try:
        rows = json.loads(run("datasets", "broken", "--json").output)["datasets"]
    finally:
        genzoo.reset_registry()
    assert "availability check genzoo.no_such_module:check failed" in rows[0]["missing"]


def test_listing_datasets_imports_no_torch():
    code = ("import sys\nfrom genzoo.cli.main import cli\ncli(['datasets'], standalone_mode=False)\n"
            "assert 'torch' not in sys.modules, 'torch was imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("command", [["train", "vae", "--data", "mnst", "--no-progress", "--out", "run"],
                                     ["eval", "--real", "mnst", "--metric", "fid"]])
def test_a_misspelled_dataset_suggests_the_name(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*command)
    assert result.exit_code == 2 and "did you mean 'mnist'" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
