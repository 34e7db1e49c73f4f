"""`genzoo train` on the command line: TOML + --set, resume, errors, and the checkpoint's reuse."""

from __future__ import annotations

import json

import torch
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


def test_trainer_is_chosen_by_name_kept_on_resume_and_written_in_the_recipe(tmp_path, training_toys):
    out = tmp_path / "run"
    args = ["diag-gaussian", "--data", "blobs", "--set", "steps=2", "--set", "device=cpu", "--set", "sample_every=null"]
    result = _train(*args, "--trainer", "alternating", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert training_toys.TRIGGERS["order"] == ["mean", "mean", "std"] * 2
    assert json.loads((out / "train" / "run.json").read_text())["trainer"] == "alternating"
    assert "genzoo train diag-gaussian --data blobs --trainer alternating --set" in (out / "README.md").read_text()
    assert _train("--resume", "--set", "steps=3", "--out", str(out)).exit_code == 0
    assert training_toys.TRIGGERS["order"] == ["mean", "mean", "std"] * 3
    default = tmp_path / "default"
    assert _train(*args, "--out", str(default)).exit_code == 0
    assert json.loads((default / "train" / "run.json").read_text())["trainer"] == "jitter"  # the first one


def test_unknown_trainer_and_unavailable_device_are_one_line_errors(tmp_path):
    args = ["diag-gaussian", "--data", "blobs", "--out", str(tmp_path / "run")]
    result = _train(*args, "--trainer", "beta")
    assert result.exit_code == 2
    assert result.output == ("error: architecture 'diag-gaussian' has no trainer 'beta'; "
                             "choose --trainer jitter, alternating or unpaired\n")
    for device, reason in (("cuda:99", "is not available"), ("tpu", "is not a device name")):
        result = _train(*args, "--device", device)
        assert result.exit_code == 2 and result.output.startswith(f"error: device '{device}' {reason}"), result.output
        assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_a_vae_trains_on_a_folder_of_pngs(tmp_path):
    from PIL import Image

    for index in range(12):
        pixels = (torch.rand(28, 28, generator=torch.Generator().manual_seed(index)) * 255).to(torch.uint8)
        Image.fromarray(pixels.numpy(), mode="L").save(tmp_path / f"{index:02d}.png")
    out = tmp_path / "run"
    result = _train("vae", "--data", f"folder:{tmp_path}", "--set", "steps=2", "--set", "batch_size=4",
                    "--set", "sample_every=null", "--set", "model.hidden=[16]", "--set", "model.latent_dim=2",
                    "--device", "cpu", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("data: folder:") and "x (1, 28, 28)" in result.output
    model = genzoo.load(out)
    assert model.sample(2, generator=torch.Generator().manual_seed(0)).shape == (2, 1, 28, 28)


def test_info_lists_the_trainers_default_first():
    result = CliRunner().invoke(cli, ["info", "diag-gaussian"])
    assert result.exit_code == 0, result.output
    assert "trainers         jitter, alternating, unpaired (the first is the default" in result.output
