"""TrainConfig validation, the learning-rate schedule and RunConfig from TOML and --set."""

from __future__ import annotations

import pytest

from genzoo.errors import ConfigError
from genzoo.training import RunConfig, TrainConfig
from genzoo.training.optim import lr_at
from genzoo.training.run_config import apply_assignments, build_run_config, read_toml


def test_schedules_warm_up_then_hold_or_decay():
    warm = dict(steps=10, lr=1.0, warmup_steps=4)
    assert [lr_at(TrainConfig(**warm), s) for s in range(5)] == [0.25, 0.5, 0.75, 1.0, 1.0]
    cosine = TrainConfig(**warm, schedule="cosine")
    assert lr_at(cosine, 4) == 1.0 and lr_at(cosine, 7) == pytest.approx(0.5) and lr_at(cosine, 10) == pytest.approx(0)
    linear = TrainConfig(**warm, schedule="linear")
    assert lr_at(linear, 7) == pytest.approx(0.5)


def test_train_config_rejects_typos_and_bad_values():
    with pytest.raises(ConfigError, match="train.lr"):
        TrainConfig.validated({"lr": -1})
    with pytest.raises(ConfigError, match="train.learning_rate"):
        TrainConfig.validated({"learning_rate": 1e-3})
    with pytest.raises(ConfigError, match="warmup_steps"):
        TrainConfig.validated({"steps": 5, "warmup_steps": 5})


def test_toml_tables_and_set_assignments_merge(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text('[model]\nhidden = 4\n[train]\nlr = 0.01\nsteps = 50\n[step]\njitter = 0.0\n')
    sections = apply_assignments(read_toml(path), {"model.hidden": 6, "steps": 20, "data.n": 32})
    config = build_run_config("diag-gaussian", "blobs", sections)
    assert config.model == {"hidden": 6} and config.data == {"n": 32} and config.step == {"jitter": 0.0}
    assert (config.train.lr, config.train.steps) == (0.01, 20)


def test_bad_toml_and_bad_keys_are_one_line_config_errors(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("[optim]\nlr = 1\n")
    with pytest.raises(ConfigError, match=r"only the tables \[model\]"):
        read_toml(path)
    path.write_text("[train\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        read_toml(path)
    with pytest.raises(ConfigError, match="--set optim.lr"):
        apply_assignments({}, {"optim.lr": 1})
    with pytest.raises(ConfigError, match="train.steps") as caught:
        build_run_config("a", "b", apply_assignments({}, {"steps": 0}))
    assert "\n" not in str(caught.value)


def test_resume_may_change_steps_and_cadence_only():
    base = RunConfig(architecture="a", dataset="d", train=TrainConfig(steps=10))
    longer = base.model_copy(update={"train": TrainConfig(steps=20, log_every=1, device="cpu")})
    assert base.differences(longer) == []
    other = base.model_copy(update={"train": TrainConfig(steps=10, lr=0.5), "model": {"hidden": 2}})
    assert base.differences(other) == ["model", "train.lr"]
    regrouped = base.model_copy(update={"trainer": "beta", "train": TrainConfig(steps=10, groups={"d": {"lr": 0.1}})})
    assert base.differences(regrouped) == ["trainer", "train.groups"]


def test_the_equivalent_command_rebuilds_the_same_run_config():
    import shlex

    from genzoo.cli.options import parse_assignments
    from genzoo.training.trainer import equivalent_command

    config = RunConfig(architecture="a", dataset="d", trainer="beta", init="base-model", model={"hidden": 3, "name": "x y"},
                       step={"flag": True}, train=TrainConfig(steps=5, ema_decay=0.9, betas=(0.5, 0.9), device="cpu",
                                                              groups={"critic": {"lr": 0.5, "betas": (0.0, 0.9)}}))
    words = shlex.split(equivalent_command(config, "out"))
    assert "train.groups.critic.lr=0.5" in words and words[5:9] == ["--trainer", "beta", "--init", "base-model"]
    assignments = tuple(words[i + 1] for i, word in enumerate(words) if word == "--set")
    rebuilt = build_run_config(words[2], words[4], apply_assignments({}, parse_assignments(assignments)), words[6],
                               words[8])
    assert rebuilt == config and words[-2:] == ["--out", "out"]


def test_bad_option_of_a_plain_dataset_factory_is_a_config_error():
    """Third-party factories need not validate their options: a TypeError becomes a ConfigError."""
    from genzoo.training.data import open_dataset

    with pytest.raises(ConfigError, match=r"dataset 'blobs': bad options \['colour'\]"):
        open_dataset("blobs", {"colour": "red"})
