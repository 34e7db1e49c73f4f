"""RealNVP: its log_prob is the change of variables of its flow, it inverts, it stays finite, and it
refuses data it has no density for."""

from __future__ import annotations

import genzoo
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from genzoo.cli.main import cli
from genzoo.plugin import CapabilityError, ConfigError
from genzoo.training import train
from genzoo_explicit_likelihood.flows.testing import assert_change_of_variables, perturbed

IMAGE = {"shape": (1, 4, 4), "levels": 17}


@pytest.mark.parametrize("options", [
    {"couplings": 4, "hidden": 8, "mixing": "lu", "data": {"shape": (4,), "value_range": None}},
    {"couplings": 4, "hidden": 8, "mixing": "random", "data": {"shape": (5,), "value_range": None}},
    {"couplings": 1, "hidden": 4, "hidden_layers": 1, "levels": 2, "data": IMAGE},
    {"couplings": 2, "hidden": 4, "layout": "vector", "mixing": "reverse", "actnorm": True, "data": IMAGE},
])
def test_log_prob_is_the_change_of_variables_of_the_whole_flow(options):
    model = perturbed(genzoo.create("realnvp", **options))
    shape = model.data_spec.shape
    x = torch.rand(3, *shape) * 0.98 + 0.01 if model.data_spec.value_range else torch.randn(3, *shape)
    assert_change_of_variables(model, x)


def test_density_on_the_data_range_holds_the_mass_the_flow_puts_there():
    """The logit margin alpha makes the flow's support a little wider than [0, 1] (RealNVP's own
    preprocessing); its density must integrate, over the data range, to the share of its unclamped
    samples that land there: a 20^4 midpoint grid against 20,000 draws, for 2x2 images, with the logit
    Jacobian, the checkerboard couplings and their nets all in the density (the kit cannot integrate 4-d)."""
    model = perturbed(genzoo.create("realnvp", data={"shape": (1, 2, 2), "levels": 17}, levels=1, couplings=2,
                                     hidden=4, hidden_layers=1))
    points = 20
    axis = (torch.arange(points) + 0.5) / points
    grid = torch.cartesian_prod(axis, axis, axis, axis).reshape(-1, 1, 2, 2)
    with torch.no_grad():
        mass = torch.exp(model.log_prob(grid)).mean().item()  # the unit box has volume 1
        z = model.base.sample(20_000, (1, 2, 2), generator=torch.Generator().manual_seed(0))
        unclamped = model.flow.inverse(z)
    inside = ((unclamped >= 0) & (unclamped <= 1)).flatten(1).all(1).float().mean().item()
    assert 0.5 < inside < 0.99  # the test means something: some mass lies in the margin
    assert mass == pytest.approx(inside, abs=0.02)


def test_layout_follows_the_data():
    assert genzoo.create("realnvp", data={"shape": (1, 8, 8), "levels": 17}).config.resolved_layout == "multiscale"
    assert genzoo.create("realnvp", data={"shape": (1, 7, 7)}).config.resolved_layout == "vector"
    assert genzoo.create("realnvp").config.resolved_layout == "vector"
    with pytest.raises(ConfigError, match="divisible by 4"):
        genzoo.create("realnvp", layout="multiscale", levels=3, data={"shape": (1, 6, 6)})


def test_samples_of_bounded_data_stay_in_range_and_follow_the_generator():
    model = perturbed(genzoo.create("realnvp", couplings=2, hidden=4, data=IMAGE))
    one = model.sample(8, generator=torch.Generator().manual_seed(3))
    assert one.shape == (8, 1, 4, 4) and one.min() >= 0 and one.max() <= 1
    assert torch.equal(one, model.sample(8, generator=torch.Generator().manual_seed(3)))


def test_temperature_one_is_the_model_and_lower_ones_shrink_the_base_noise():
    model = perturbed(genzoo.create("realnvp", couplings=2, hidden=4))
    plain = model.sample(6, generator=torch.Generator().manual_seed(1))
    at_one = model.sample(6, sampler="temperature", temperature=1.0, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(at_one, plain)
    cold = model.sample(500, sampler="temperature", temperature=0.2, generator=torch.Generator().manual_seed(1))
    warm = model.sample(500, sampler="temperature", temperature=1.0, generator=torch.Generator().manual_seed(1))
    assert cold.std(0).mean() < 0.5 * warm.std(0).mean()


def test_a_float64_model_samples_with_float64_noise():
    model = perturbed(genzoo.create("realnvp", couplings=2, hidden=4)).to(torch.float64)
    samples = model.sample(5, sampler="temperature", temperature=0.5, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (5, 2) and torch.isfinite(samples).all()


def test_data_outside_the_support_or_of_the_wrong_shape_is_refused():
    model = genzoo.create("realnvp", couplings=2, hidden=4, data=IMAGE)
    with pytest.raises(CapabilityError, match="outside the flow's support"):
        model.log_prob(torch.full((2, 1, 4, 4), 0.5).index_fill_(0, torch.tensor([1]), 1.2))
    with pytest.raises(CapabilityError, match=r"shaped \(n, 1, 4, 4\)"):
        model.log_prob(torch.rand(2, 16))


def test_discrete_data_is_refused_with_the_view_to_use():
    with pytest.raises(ConfigError, match="data.view=dequantized"):
        genzoo.create("realnvp", data={"shape": (1, 8, 8), "kind": "discrete", "levels": 17})


@pytest.fixture(scope="module")
def trained_digits(tmp_path_factory):
    """A tiny multi-scale RealNVP after a few hundred fast steps on dequantized digits."""
    out = tmp_path_factory.mktemp("realnvp") / "digits"
    train("realnvp", data="digits", out=out, data_options={"view": "dequantized"},
          model={"couplings": 1, "hidden": 8, "hidden_layers": 1, "scale_bound": 3.0},
          train={"steps": 60, "batch_size": 32, "lr": 1e-2, "log_every": 50, "sample_every": None}, progress=False)
    return genzoo.load(out)


def test_trained_model_is_finite_on_held_out_and_extreme_inputs(trained_digits):
    test, _ = genzoo.plugin.load_dataset("digits", split="test", view="dequantized").tensors()
    log_p = trained_digits.log_prob(test)
    assert torch.isfinite(log_p).all()
    extremes = torch.stack([torch.zeros(1, 8, 8), torch.ones(1, 8, 8), (torch.arange(64) % 2).float().reshape(1, 8, 8)])
    assert torch.isfinite(trained_digits.log_prob(extremes)).all()
    initial = genzoo.create("realnvp", couplings=1, hidden=8, hidden_layers=1, data=trained_digits.data_spec)
    assert log_p.mean() > initial.log_prob(test).mean() + 20  # it learned something (nats per image)


def test_train_on_discrete_levels_fails_in_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "realnvp", "--data", "digits", "--set", "data.view=levels",
                                      "--set", "train.steps=2", "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "data.view=dequantized" in result.output
    assert not out.exists()


def test_train_on_data_outside_the_declared_range_fails_in_one_line_without_a_checkpoint(tmp_path):
    data = tmp_path / "wide.npz"
    np.savez(data, x=np.random.default_rng(0).uniform(0, 2, (40, 2)).astype("float32"))
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "realnvp", "--data", f"npz:{data}", "--set",
                                      'model.data={"shape": [2], "value_range": [0, 1]}', "--set", "train.steps=2",
                                      "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "outside the flow's support [0.0, 1.0]" in result.output.strip().splitlines()[-1]
    assert not (out / "config.json").exists() and not (out / "model.safetensors").exists()
