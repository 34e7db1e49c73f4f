"""The RBM: exact and AIS partition functions, a normalised log_prob, CD training, exact PCD resume, Gibbs sampling."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from safetensors.torch import load_file

import genzoo
from genzoo.data import load_dataset
from genzoo.errors import ConfigError, GenzooError
from genzoo.training import Batch, train
from genzoo_latent_variable.ais import ais_log_partition, beta_schedule, exact_log_partition
from genzoo_latent_variable.rbm import ContrastiveDivergenceStep

DIGITS = {"shape": (1, 8, 8), "kind": "binary", "value_range": (0, 1)}


def _tiny_rbm(visible: int = 10, hidden: int = 6, seed: int = 0):
    """A small RBM with weights large enough for a peaked, hard-to-anneal distribution."""
    model = genzoo.create("rbm", hidden=hidden, data={"shape": (visible,), "kind": "binary", "value_range": (0, 1)})
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        model.weight.copy_(torch.randn(visible, hidden, generator=generator))
        model.visible_bias.copy_(0.5 * torch.randn(visible, generator=generator))
        model.hidden_bias.copy_(0.5 * torch.randn(hidden, generator=generator))
    return model


def _all_states(size: int) -> torch.Tensor:
    return torch.tensor(list(itertools.product((0.0, 1.0), repeat=size)))


@pytest.mark.parametrize(("visible", "hidden"), [(10, 6), (5, 9)])  # enumerates the smaller layer either way
def test_exact_log_partition_sums_every_joint_state(visible, hidden):
    model = _tiny_rbm(visible, hidden)
    v, h = _all_states(visible).double(), _all_states(hidden).double()
    weight, b, c = model.weight.double(), model.visible_bias.double(), model.hidden_bias.double()
    negative_energy = (v @ b)[:, None] + (h @ c)[None, :] + v @ weight @ h.T
    assert exact_log_partition(model.weight, model.visible_bias, model.hidden_bias) == pytest.approx(
        torch.logsumexp(negative_energy.flatten(), 0).item(), abs=1e-9)


@pytest.mark.parametrize("schedule", ["piecewise", "linear"])
def test_ais_matches_the_brute_force_log_partition(schedule):
    model = _tiny_rbm()
    exact = exact_log_partition(model.weight, model.visible_bias, model.hidden_bias)
    log_z, stderr = ais_log_partition(model.weight, model.visible_bias, model.hidden_bias, model.base_visible_bias,
                                      num_chains=100, num_betas=2000, schedule=schedule,
                                      generator=torch.Generator().manual_seed(0))
    assert abs(log_z - exact) < 0.05
    assert 0 < stderr < 0.05


def test_beta_schedules_run_from_zero_to_one():
    for schedule in ("piecewise", "linear"):
        for steps in (1, 2, 7, 10000):
            betas = beta_schedule(steps, schedule)
            assert len(betas) == steps + 1 and betas[0] == 0 and betas[-1] == 1
            assert (betas.diff() > 0).all()
    piecewise = beta_schedule(15000)
    assert piecewise[1000] == pytest.approx(0.5) and piecewise[5000] == pytest.approx(0.9)


def test_log_prob_normalises_over_every_visible_state():
    model = _tiny_rbm()  # 6 hidden units: log Z is enumerated exactly
    with torch.no_grad():
        total = torch.logsumexp(model.log_prob(_all_states(10)).double(), 0)
    assert total.item() == pytest.approx(0.0, abs=1e-5)
    model.estimate_log_partition(100, 2000, generator=torch.Generator().manual_seed(0))  # now the stored estimate
    with torch.no_grad():
        assert torch.logsumexp(model.log_prob(_all_states(10)).double(), 0).item() == pytest.approx(0.0, abs=0.05)


def test_log_prob_needs_an_estimate_of_log_z_and_training_invalidates_it():
    model = genzoo.create("rbm", hidden=32, data=DIGITS)  # 2^32 states: too many to enumerate
    x = model.sample(4, steps=2, generator=torch.Generator().manual_seed(0))
    with pytest.raises(GenzooError, match=r"model\.estimate_log_partition\(\)"):
        model.log_prob(x)
    model.estimate_log_partition(10, 100, generator=torch.Generator().manual_seed(0))
    assert torch.isfinite(model.log_prob(x)).all()
    ContrastiveDivergenceStep().loss(model, Batch(x, None), "model", {})  # the weights are about to change
    with pytest.raises(GenzooError, match="has not been estimated"):
        model.log_prob(x)


def test_only_binary_zero_one_data_is_accepted():
    for data in ({"shape": (2,), "value_range": None}, {"shape": (4,), "kind": "binary", "value_range": (-1, 1)}):
        with pytest.raises(ConfigError, match="an RBM models binary data"):
            genzoo.create("rbm", data=data)
    with pytest.raises(ConfigError, match="hidden"):
        genzoo.create("rbm", hidden=0)


def test_cd_restarts_at_the_data_and_pcd_carries_its_chains():
    model = genzoo.create("rbm", hidden=32, data=DIGITS, persistent_chains=7)
    x = (torch.rand(5, 1, 8, 8) < 0.5).float()
    chains = model.persistent_chains.clone()
    losses = ContrastiveDivergenceStep(method="cd").loss(model, Batch(x, None), "model", {})
    assert torch.equal(model.persistent_chains, chains) and set(losses) == {"loss", "recon"}
    ContrastiveDivergenceStep(method="pcd", k=3).loss(model, Batch(x, None), "model", {})
    assert model.persistent_chains.shape == (7, 64) and not torch.equal(model.persistent_chains, chains)


def test_gibbs_sampler_is_seeded_and_checks_its_options():
    model = genzoo.create("rbm", hidden=32, data=DIGITS)
    first, second, other = (model.sample(5, steps=20, generator=torch.Generator().manual_seed(seed)) for seed in (7, 7, 8))
    assert first.shape == (5, 1, 8, 8) and set(first.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(first, second) and not torch.equal(first, other)
    with pytest.raises(ConfigError, match="steps"):
        model.sample(2, steps=0)
    with pytest.raises(ConfigError, match="temperature"):
        model.sample(2, temperature=2.0)


def _train_digits(out, steps: int, *, resume: bool = False, **step):
    settings = {"steps": steps, "batch_size": 50, "lr": 0.1, "optimizer": "sgd", "momentum": 0.5, "log_every": 10,
                "checkpoint_every": 1000, "sample_every": None, "device": "cpu"}
    return train("rbm", data="digits", out=out, data_options={"view": "binarized"}, model={"hidden": 16},
                 train=settings, step={"ais_betas": 2000} | step, resume=resume, progress=False)


def test_training_on_digits_improves_the_ais_nll(tmp_path):
    result = _train_digits(tmp_path, 300)
    trained = genzoo.load(tmp_path)
    assert trained.log_partition_known and result.metrics["log_partition_stderr"] < 0.1
    exact = exact_log_partition(trained.weight, trained.visible_bias, trained.hidden_bias)
    assert result.metrics["log_partition"] == pytest.approx(exact, abs=0.1)  # 16 hidden units: AIS is checkable

    untrained = genzoo.create("rbm", hidden=16, data=trained.data_spec)
    untrained.fit_base_rate(load_dataset("digits", "train", view="binarized").tensors()[0])
    untrained.estimate_log_partition(100, 2000, generator=torch.Generator().manual_seed(0))
    x = load_dataset("digits", "test", view="binarized").tensors()[0]
    with torch.no_grad():
        nll_trained, nll_untrained = (-m.log_prob(x).mean().item() for m in (trained, untrained))
    assert nll_untrained == pytest.approx(64 * math.log(2), abs=0.5)  # small weights: close to uniform
    assert nll_trained < nll_untrained - 10


def test_pcd_resume_is_exact(tmp_path):
    """20 steps in one go, or 10 (which end with AIS) and a resume to 20: the same checkpoint."""
    _train_digits(tmp_path / "straight", 20, ais_betas=50)
    _train_digits(tmp_path / "resumed", 10, ais_betas=50)
    _train_digits(tmp_path / "resumed", 20, resume=True, ais_betas=50)
    straight, resumed = (load_file(tmp_path / name / "model.safetensors") for name in ("straight", "resumed"))
    assert straight.keys() == resumed.keys() and "persistent_chains" in straight
    assert [k for k in straight if not torch.equal(straight[k], resumed[k])] == []
