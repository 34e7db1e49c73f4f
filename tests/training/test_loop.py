"""The gradient loop end to end: files, EMA export, exact resume, NaN handling, alternation."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

import genzoo
from genzoo.errors import ConfigError, GenzooError
from genzoo.training import TrainingDiverged, TrainingInterrupted, train

FULL = {"ema_decay": 0.8, "grad_clip": 1.0, "schedule": "cosine", "warmup_steps": 3, "optimizer": "adamw"}


def test_run_writes_a_loadable_checkpoint_with_logs_samples_and_recipe(tmp_path, tiny):
    result = train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(), progress=False)
    out = tmp_path / "run"
    assert result.step == 12 and result.path == out
    model = genzoo.load(out)
    assert model.data_spec.num_classes == 2  # the dataset's DataSpec, not the config default
    records = [json.loads(line) for line in (out / "train" / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [2, 4, 6, 8, 10, 12]
    assert records[-1]["loss"] < records[0]["loss"] and all(r["examples_per_s"] > 0 for r in records)
    assert sorted(p.name for p in (out / "train" / "samples").iterdir()) == ["step_000006.png", "step_000012.png"]
    assert (out / "train" / "loss.png").read_bytes()[:4] == b"\x89PNG"
    readme = (out / "README.md").read_text()
    assert "genzoo train diag-gaussian --data blobs" in readme and "Took" in readme
    assert not [p for p in out.rglob("*") if p.suffix in (".pt", ".pkl", ".pickle", ".bin", ".ckpt")]


def test_checkpoint_holds_the_ema_weights(tmp_path, tiny):
    train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(ema_decay=0.9), progress=False)
    exported = load_file(tmp_path / "run" / "model.safetensors")
    ema = load_file(tmp_path / "run" / "train" / "state" / "ema.safetensors")
    live = load_file(tmp_path / "run" / "train" / "state" / "model.safetensors")
    assert all(torch.equal(exported[k], ema[k]) for k in exported)
    assert not torch.equal(exported["log_std"], live["log_std"])


def _weights(folder):
    return load_file(folder / "train" / "state" / "model.safetensors")


def test_interrupted_and_resumed_run_ends_bit_exact(tmp_path, training_toys, tiny):
    settings = tiny(**FULL)
    train("diag-gaussian", data="blobs", out=tmp_path / "straight", train=settings, progress=False)
    training_toys.TRIGGERS.update(calls=0, signal_at=7)
    with pytest.raises(TrainingInterrupted, match="SIGINT at step 7.*--resume"):
        train("diag-gaussian", data="blobs", out=tmp_path / "resumed", train=settings, progress=False)
    state = json.loads((tmp_path / "resumed" / "train" / "state" / "state.json").read_text())
    assert state["step"] == 7 and state["data"] == {"epoch": 1, "position": 1}
    training_toys.TRIGGERS.clear()
    train("diag-gaussian", data="blobs", out=tmp_path / "resumed", train=settings, resume=True, progress=False)
    straight, resumed = _weights(tmp_path / "straight"), _weights(tmp_path / "resumed")
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)
    exported = [load_file(tmp_path / name / "model.safetensors") for name in ("straight", "resumed")]
    assert all(torch.equal(exported[0][k], exported[1][k]) for k in exported[0])
    steps = [json.loads(line)["step"] for line in (tmp_path / "resumed" / "train" / "metrics.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6, 8, 10, 12]


def test_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path, training_toys, tiny):
    training_toys.TRIGGERS.update(nan_at=10)
    with pytest.raises(TrainingDiverged) as caught:
        train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(log_every=3), progress=False)
    message = str(caught.value)
    assert "\n" not in message and "loss is nan" in message and "step 8" in message
    assert json.loads((tmp_path / "run" / "train" / "state" / "state.json").read_text())["step"] == 8
    model = genzoo.load(tmp_path / "run")
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_nan_before_the_first_checkpoint_says_there_is_none(tmp_path, training_toys, tiny):
    training_toys.TRIGGERS.update(nan_at=1)
    with pytest.raises(TrainingDiverged, match="no checkpoint had been written yet"):
        train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(), progress=False)
    assert not (tmp_path / "run").exists()  # nothing half-saved: no run.json that would read as a run to resume
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("the user's")
    with pytest.raises(TrainingDiverged):
        train("diag-gaussian", data="blobs", out=tmp_path / "mine", train=tiny(), progress=False)
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_a_second_run_into_the_same_folder_needs_resume(tmp_path, tiny):
    train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(steps=4), progress=False)
    with pytest.raises(GenzooError, match="already holds a training run"):
        train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(steps=4), progress=False)


def test_resume_refuses_a_different_run_but_may_extend_it(tmp_path, tiny):
    train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(steps=4), progress=False)
    with pytest.raises(ConfigError, match="train.lr"):
        train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(steps=8, lr=0.1), resume=True, progress=False)
    result = train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(steps=8), resume=True, progress=False)
    assert result.step == 8


def test_resume_without_a_saved_state_is_a_clear_error(tmp_path, tiny):
    with pytest.raises(GenzooError, match="no training state to resume"):
        train("diag-gaussian", data="blobs", out=tmp_path / "none", train=tiny(), resume=True, progress=False)


def test_several_optimizers_alternate_as_the_step_says(tmp_path, training_toys, tiny):
    result = train("diag-gaussian-alternating", data="blobs", out=tmp_path / "run",
                   train=tiny(steps=4, sample_every=None), progress=False)
    assert training_toys.TRIGGERS["order"] == ["mean", "mean", "std"] * 4
    assert set(result.metrics) == {"mean/loss", "std/loss"}
    assert json.loads((tmp_path / "run" / "train" / "state" / "state.json").read_text())["optimizers"].keys() == {"mean", "std"}


def test_model_overrides_and_a_mismatched_dataspec(tmp_path, tiny):
    train("diag-gaussian", data="blobs", out=tmp_path / "run", model={"hidden": 3}, train=tiny(steps=2), progress=False)
    assert genzoo.load(tmp_path / "run").config.hidden == 3
    with pytest.raises(ConfigError, match="does not match dataset 'blobs'"):
        train("diag-gaussian", data="blobs", out=tmp_path / "bad", model={"data": {"shape": [3]}}, train=tiny(), progress=False)


def test_an_architecture_without_trainer_or_an_unknown_dataset_is_refused(tmp_path, tiny):
    with pytest.raises(GenzooError, match="has no trainer"):
        train("diag-gaussian-untrainable", data="blobs", out=tmp_path / "a", train=tiny(), progress=False)
    with pytest.raises(GenzooError, match="unknown dataset 'blob'"):
        train("diag-gaussian", data="blob", out=tmp_path / "b", train=tiny(), progress=False)
    with pytest.raises(ConfigError, match="step.jiter"):
        train("diag-gaussian", data="blobs", out=tmp_path / "c", train=tiny(), step={"jiter": 0.1}, progress=False)


def test_a_run_saved_without_a_trainer_name_resumes_with_the_default(tmp_path, tiny):
    train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(steps=4), progress=False)
    run_json = tmp_path / "run" / "train" / "run.json"
    saved = json.loads(run_json.read_text())
    assert saved.pop("trainer") == "jitter"
    run_json.write_text(json.dumps(saved))  # as written before architectures named their trainers
    assert train("diag-gaussian", data="blobs", out=tmp_path / "run", train=tiny(steps=6), resume=True,
                 progress=False).step == 6
