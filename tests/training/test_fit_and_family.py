"""The non-gradient fit path, and a real family architecture (gaussian) trained end to end."""

from __future__ import annotations

import json

import pytest
import torch

import genzoo
from genzoo.errors import ConfigError, GenzooError
from genzoo.training import train


FIT = {"batch_size": 16, "num_samples": 8, "device": "cpu"}


def test_a_fit_step_fits_logs_samples_and_exports(tmp_path, training_toys):
    result = train("diag-gaussian-fit", data="blobs", out=tmp_path / "run", train=FIT, progress=False)
    model = genzoo.load(tmp_path / "run")
    points = training_toys.Blobs().points
    assert torch.allclose(model.log_std.exp(), points.std(0))
    records = [json.loads(line) for line in (tmp_path / "run" / "train" / "metrics.jsonl").read_text().splitlines()]
    assert [(r["iteration"], r["examples"]) for r in records] == [(0, 96), (1, 96)]
    assert result.metrics["nll"] == pytest.approx(-model.log_prob(points).mean().item(), rel=1e-5)
    assert (tmp_path / "run" / "train" / "samples" / "step_000000.png").is_file()
    assert result.summary == "fitted by closed form in 2 iterations"
    assert "`diag-gaussian-fit` on `blobs`, fitted by closed form in 2 iterations" in (tmp_path / "run" / "README.md").read_text()
    with pytest.raises(GenzooError, match="already holds a training run"):  # a fit keeps no state.json, but its log
        train("diag-gaussian-fit", data="blobs", out=tmp_path / "run", train=FIT, progress=False)


def test_a_fit_takes_its_own_options_and_the_cli_says_how_it_was_fitted(tmp_path):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "diag-gaussian-fit", "--data", "blobs", "--set", "step.max_iterations=1",
                                      "--set", "device=cpu", "--set", "sample_every=null", "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"wrote {out} (fitted by closed form in 1 iteration)"


def test_a_fit_refuses_gradient_settings_by_name(tmp_path, tiny):
    with pytest.raises(ConfigError) as caught:
        train("diag-gaussian-fit", data="blobs", out=tmp_path / "run", train=tiny(), progress=False)
    message = str(caught.value)
    assert message.startswith("train.steps, train.lr, train.log_every, train.checkpoint_every not used: "
                              "'diag-gaussian-fit' is fitted by closed form (ClosedForm)") and "\n" not in message
    with pytest.raises(ConfigError, match=r"^train.groups not used"):
        train("diag-gaussian-fit", data="blobs", out=tmp_path / "run", train=FIT | {"groups": {"model": {"lr": 1.0}}},
              progress=False)
    assert not (tmp_path / "run").exists()


def test_a_fit_cannot_be_resumed(tmp_path):
    train("diag-gaussian-fit", data="blobs", out=tmp_path / "run", train=FIT, progress=False)
    with pytest.raises(GenzooError, match="no training state to resume"):
        train("diag-gaussian-fit", data="blobs", out=tmp_path / "run", train=FIT, resume=True, progress=False)


def test_the_gaussian_architecture_trains_by_exact_nll(tmp_path, tiny, training_toys):
    points = training_toys.Blobs().points
    before = genzoo.create("gaussian", data=training_toys.Blobs.data_spec)
    train("gaussian", data="blobs", out=tmp_path / "g", train=tiny(steps=60, lr=0.1, sample_every=None), progress=False)
    after = genzoo.load(tmp_path / "g")
    nll_before, nll_after = (-m.log_prob(points).mean().item() for m in (before, after))
    assert nll_after < nll_before - 1.0
    assert after.sample(4, generator=torch.Generator().manual_seed(0)).shape == (4, 2)
