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


def test_init_starts_from_a_checkpoints_weights_and_is_in_the_recipe(tmp_path):
    base, tuned = tmp_path / "base", tmp_path / "tuned"
    common = ["diag-gaussian", "--data", "blobs", "--set", "device=cpu", "--set", "sample_every=null"]
    assert _train(*common, "--set", "steps=3", "--set", "lr=0.05", "--out", str(base)).exit_code == 0
    # a vanishing lr: the fine-tuned weights are the ones it started from
    result = _train(*common, "--init", str(base), "--set", "steps=2", "--set", "lr=1e-30", "--out", str(tuned))
    assert result.exit_code == 0, result.output
    start, end = genzoo.load(base).state_dict(), genzoo.load(tuned).state_dict()
    assert start.keys() == end.keys() and all(torch.allclose(start[k], end[k], rtol=0, atol=1e-20) for k in start)
    assert json.loads((tuned / "train" / "run.json").read_text())["init"] == str(base)
    assert f"genzoo train diag-gaussian --data blobs --init {base} --set" in (tuned / "README.md").read_text()
    assert _train("--resume", "--set", "steps=3", "--out", str(tuned)).exit_code == 0  # init kept on resume
    scratch = tmp_path / "scratch"
    assert _train(*common, "--set", "steps=2", "--set", "lr=1e-30", "--out", str(scratch)).exit_code == 0
    fresh = genzoo.load(scratch).state_dict()
    assert not all(torch.allclose(fresh[k], start[k], rtol=0, atol=1e-3) for k in start)


def test_init_from_another_architecture_or_other_shapes_is_a_one_line_error(tmp_path):
    base = tmp_path / "base"
    common = ["--data", "blobs", "--set", "device=cpu", "--set", "sample_every=null", "--set", "steps=1"]
    assert _train("diag-gaussian", *common, "--out", str(base)).exit_code == 0
    other = _train("diag-gaussian-alternating", *common, "--init", str(base), "--out", str(tmp_path / "a"))
    assert other.exit_code == 2, other.output
    assert other.output == (f"error: --init {base}: it is a 'diag-gaussian' checkpoint; this run trains "
                            "'diag-gaussian-alternating'\n")
    resized = _train("diag-gaussian", *common, "--set", "model.hidden=7", "--init", str(base), "--out", str(tmp_path / "b"))
    assert resized.exit_code == 2 and resized.output.startswith(f"error: --init {base}: its weights do not fit"), resized.output
    assert len(resized.output.strip().splitlines()) == 1 and not (tmp_path / "b").exists()


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


def test_init_leaves_tensors_the_checkpoint_lacks_as_initialized_and_names_them(tmp_path):
    from genzoo.training.setup import load_initial_weights

    base = tmp_path / "base"
    assert _train("diag-gaussian", "--data", "blobs", "--set", "device=cpu", "--set", "sample_every=null",
                  "--set", "steps=1", "--out", str(base)).exit_code == 0
    model, start = genzoo.load(base), genzoo.load(base).state_dict()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(1)
    model.register_parameter("added_head", torch.nn.Parameter(torch.full((3,), 7.0)))  # a part --set switched on
    assert load_initial_weights(model, str(base), "diag-gaussian") == ["added_head"]
    loaded = model.state_dict()
    assert all(torch.equal(loaded[k], start[k]) for k in start)
    assert torch.equal(loaded["added_head"], torch.full((3,), 7.0))
