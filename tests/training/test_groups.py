"""Per-group optimizer settings, their precedence, per-group EMA and the step's shared state."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file

from genzoo.errors import CheckpointError, ConfigError
from genzoo.training import TrainConfig, TrainingStep, train
from genzoo.training.config import group_settings
from genzoo.training.state import read_step_state, save_state


def _records(out):
    return [json.loads(line) for line in (out / "train" / "metrics.jsonl").read_text().splitlines()]


def test_each_group_follows_its_own_lr_schedule(tmp_path, tiny):
    groups = {"mean": {"lr": 0.1, "warmup_steps": 2}, "std": {"lr": 0.01, "schedule": "linear"}}
    train("diag-gaussian-alternating", data="blobs", out=tmp_path / "run", progress=False,
          train=tiny(steps=4, log_every=1, sample_every=None, groups=groups))
    records = _records(tmp_path / "run")
    assert [r["lr/mean"] for r in records] == pytest.approx([0.05, 0.1, 0.1, 0.1])  # warmup (s+1)/2, then constant
    assert [r["lr/std"] for r in records] == pytest.approx([0.01, 0.0075, 0.005, 0.0025])  # 0.01 * (1 - s/4)
    state = json.loads((tmp_path / "run" / "train" / "state" / "state.json").read_text())
    assert state["optimizers"]["std"]["param_groups"][0]["lr"] == pytest.approx(0.0025)


def test_set_reaches_one_group_and_unknown_groups_are_named(tmp_path, tiny):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    args = ["train", "diag-gaussian-alternating", "--data", "blobs", "--out", str(tmp_path / "run"), "--no-progress",
            "--set", "steps=2", "--set", "device=cpu", "--set", "sample_every=null"]
    done = CliRunner().invoke(cli, [*args, "--set", "train.groups.std.lr=0.5", "--set", "train.groups.std.betas=[0.5,0.9]"])
    assert done.exit_code == 0, done.output
    saved = json.loads((tmp_path / "run" / "train" / "state" / "state.json").read_text())["optimizers"]
    assert saved["std"]["param_groups"][0]["lr"] == 0.5 and saved["std"]["param_groups"][0]["betas"] == [0.5, 0.9]
    assert saved["mean"]["param_groups"][0]["lr"] == 1e-3
    with pytest.raises(ConfigError) as caught:
        train("diag-gaussian-alternating", data="blobs", out=tmp_path / "bad", progress=False,
              train=tiny(groups={"critic": {"lr": 0.1}}))
    assert str(caught.value) == "train.groups.critic: MeanThenStd has no group 'critic'; its groups are mean, std"
    with pytest.raises(ConfigError, match=r"train\.groups\.std\..*warmup_steps \(4\) must be below steps \(4\)"):
        train("diag-gaussian-alternating", data="blobs", out=tmp_path / "bad", progress=False,
              train=tiny(steps=4, groups={"std": {"warmup_steps": 4}}))


class Suggests(TrainingStep):
    groups = ("generator", "discriminator")
    group_defaults = {"generator": {"lr": 2e-4, "betas": (0.5, 0.999)}, "discriminator": {"lr": 4e-4, "ema": False}}


def test_defaults_for_a_group_the_step_does_not_have_are_a_step_bug():
    from genzoo.errors import GenzooError
    from genzoo.training.setup import check_groups

    class Stray(Suggests):
        group_defaults = {"critic": {"lr": 1e-4}}

    with pytest.raises(GenzooError, match=r"Stray.group_defaults names 'critic'.*\(generator, discriminator\); fix"):
        check_groups(TrainConfig(), Stray())


def test_run_settings_beat_step_defaults_which_beat_top_level_settings():
    config = TrainConfig(lr=0.1, weight_decay=0.01, groups={"generator": {"lr": 0.3}})
    generator, averaged = group_settings(config, Suggests, "generator")
    assert (generator.lr, generator.betas, generator.weight_decay, averaged) == (0.3, (0.5, 0.999), 0.01, True)
    discriminator, averaged = group_settings(config, Suggests, "discriminator")
    assert (discriminator.lr, discriminator.betas, averaged) == (4e-4, (0.9, 0.999), False)
    _, averaged = group_settings(TrainConfig(groups={"discriminator": {"ema": True}}), Suggests, "discriminator")
    assert averaged is True


def test_the_ema_averages_only_the_groups_that_ask_for_it(tmp_path):
    settings = {"steps": 4, "batch_size": 16, "lr": 0.05, "ema_decay": 0.5, "sample_every": None, "device": "cpu"}
    train("toy-wgan", data="ring", out=tmp_path / "run", train=settings, progress=False)
    exported = load_file(tmp_path / "run" / "model.safetensors")
    live = load_file(tmp_path / "run" / "train" / "state" / "model.safetensors")
    critic = [k for k in exported if k.startswith("critic.")]  # the step's group_defaults: critic ema False
    generator = [k for k in exported if k.startswith("generator.")]
    assert critic and all(torch.equal(exported[k], live[k]) for k in critic)
    assert generator and not any(torch.equal(exported[k], live[k]) for k in generator)


def test_step_state_round_trips_exactly_and_must_hold_tensors(tmp_path):
    model = torch.nn.Linear(2, 1)
    state = {"pool": torch.randn(3, 2, dtype=torch.float64), "count": torch.tensor(7), "codes": torch.arange(4)[::2]}
    save_state(tmp_path / "s", model=model, ema=None, optimizers={}, rng={"cpu_rank0": torch.get_rng_state()},
               info={"step": 1}, step_state=state)
    restored = read_step_state(tmp_path / "s")
    assert restored.keys() == state.keys() and all(torch.equal(restored[k], state[k]) for k in state)
    assert restored["pool"].dtype == torch.float64 and restored["count"].dtype == torch.int64
    with pytest.raises(CheckpointError, match=r"non-tensors under \['n'\]"):
        save_state(tmp_path / "t", model=model, ema=None, optimizers={}, rng={}, info={}, step_state={"n": 3})
    save_state(tmp_path / "u", model=model, ema=None, optimizers={}, rng={"cpu_rank0": torch.get_rng_state()}, info={})
    assert read_step_state(tmp_path / "u") == {}
