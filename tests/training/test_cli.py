"""`genzoo train` on the command line: TOML + --set, resume, errors, and the checkpoint's reuse."""

from __future__ import annotations

import json

from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli


def _train(*args):
    return CliRunner().invoke(cli, ["train", *args, "--no-progress"])


def test_train_then_sample_the_checkpoint(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text("[model]\nhidden = 4\n[train]\nsteps = 6\nbatch_size = 16\nsample_every = 3\ndevice = 'cpu'\n")
    out = tmp_path / "run"
    result = _train("diag-gaussian", "--data", "blobs", "--config", str(config), "--set", "lr=0.02",
                    "--set", "model.hidden=5", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "data: blobs: 96 examples, x (2,) continuous unbounded"
    assert f"wrote {out} (trained for 6 steps)" in result.output
    assert genzoo.load(out).config.hidden == 5
    recipe = (out / "README.md").read_text().split("## Recipe")[1]
    assert f"--config {config} --set lr=0.02 --set model.hidden=5 --out {out}" in recipe
    sampled = CliRunner().invoke(cli, ["sample", str(out), "-n", "4", "--device", "cpu", "-o", str(tmp_path / "x.png")])
    assert sampled.exit_code == 0, sampled.output


def test_resume_from_the_folder_alone_extends_the_run(tmp_path):
    out = str(tmp_path / "run")
    assert _train("diag-gaussian", "--data", "blobs", "--set", "steps=4", "--set", "device=cpu", "--out", out).exit_code == 0
    result = _train("--resume", "--set", "steps=8", "--out", out)
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "run" / "train" / "state" / "state.json").read_text())["step"] == 8


def test_user_errors_are_one_line_without_traceback(tmp_path):
    out = str(tmp_path / "run")
    result = _train("diag-gaussian", "--data", "blobs", "--set", "train.optimizer=lion", "--out", out)
    assert result.exit_code == 2 and result.output.startswith("error: invalid run config: train.optimizer")
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert _train("--out", out).exit_code == 2  # no architecture and nothing to resume
