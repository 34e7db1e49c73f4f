"""Glow: its log_prob is an exact, normalised density, it inverts, samples at a temperature, stays
finite after training, and refuses what it cannot model."""

from __future__ import annotations

import genzoo
import pytest
import torch
from click.testing import CliRunner
from genzoo.cli.main import cli
from genzoo.plugin import CapabilityError, ConfigError, GenzooError, load_dataset
from genzoo_explicit_likelihood.flows.coupling import AffineCoupling
from genzoo_explicit_likelihood.flows.testing import assert_change_of_variables, perturbed

TINY = {"levels": 1, "steps_per_level": 2, "hidden_channels": 4}


@pytest.mark.parametrize("data", [
    {"shape": (1, 2, 2), "value_range": None},
    {"shape": (1, 4, 4), "levels": 256},  # bounded: the logit transform's Jacobian is part of log_prob
])
def test_log_prob_is_the_change_of_variables_of_the_whole_flow(data):
    model = perturbed(genzoo.create("glow", data=data, **TINY | {"levels": 1 if data["shape"][1] == 2 else 2}))
    shape = model.data_spec.shape
    x = torch.rand(3, *shape) * 0.98 + 0.01 if model.data_spec.value_range else torch.randn(3, *shape)
    assert_change_of_variables(model, x)


def test_density_of_a_2x2_image_integrates_to_one():
    """The kit cannot grid-integrate 4-d data; a 28^4 midpoint grid over mean +- 6 std of samples can."""
    model = perturbed(genzoo.create("glow", data={"shape": (1, 2, 2), "value_range": None}, **TINY))
    samples = model.sample(4000, generator=torch.Generator().manual_seed(0)).reshape(-1, 4)
    low, high = samples.mean(0) - 6 * samples.std(0), samples.mean(0) + 6 * samples.std(0)
    points = 28
    widths = (high - low) / points
    axes = [low[d] + widths[d] * (torch.arange(points) + 0.5) for d in range(4)]
    grid = torch.cartesian_prod(*axes).reshape(-1, 1, 2, 2)
    with torch.no_grad():
        mass = torch.exp(model.log_prob(grid)).sum().item() * widths.prod().item()
    assert mass == pytest.approx(1.0, abs=0.02)


def test_temperature_scales_the_base_noise_and_one_is_the_model():
    model = perturbed(genzoo.create("glow", data={"shape": (1, 4, 4), "levels": 256}, **TINY))
    seed = 5
    plain = model.sample(6, generator=torch.Generator().manual_seed(seed))
    at_one = model.sample(6, sampler="temperature", temperature=1.0, generator=torch.Generator().manual_seed(seed))
    torch.testing.assert_close(at_one, plain)
    cold = model.sample(200, sampler="temperature", temperature=0.1, generator=torch.Generator().manual_seed(seed))
    warm = model.sample(200, sampler="temperature", temperature=1.0, generator=torch.Generator().manual_seed(seed))
    assert cold.std(0).mean() < 0.5 * warm.std(0).mean()
    mode = model.flow.inverse(torch.zeros(1, 1, 4, 4))
    assert (cold - mode).abs().mean() < (warm - mode).abs().mean()
    with pytest.raises(ConfigError, match="temperature"):
        model.sample(2, sampler="temperature", temperature=0.0)


def test_a_trained_model_is_finite_on_held_out_data_and_samples_in_range():
    torch.manual_seed(0)
    train_x, _ = load_dataset("digits", split="train", view="dequantized").tensors()
    held_out, _ = load_dataset("digits", split="test", view="dequantized").tensors()
    model = genzoo.create("glow", data={"shape": (1, 8, 8), "levels": 17}, levels=2, steps_per_level=1,
                          hidden_channels=8)
    with torch.no_grad():
        untrained_nll = -model.eval().log_prob(held_out).mean()
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for batch in train_x[:1280].split(64):  # 20 steps of the family's NLL loss
        loss = -model.log_prob(batch).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert all(bool(layer.initialized) for layer in model.modules() if hasattr(layer, "initialized"))
    model.eval()
    with torch.no_grad():
        log_prob = model.log_prob(held_out)
    assert torch.isfinite(log_prob).all()
    assert -log_prob.mean() < untrained_nll - 10  # it learnt something, so the check ran on a trained model
    samples = model.sample(16, generator=torch.Generator().manual_seed(0))
    assert torch.isfinite(samples).all() and samples.min() >= 0 and samples.max() <= 1


@pytest.mark.parametrize(("config", "message"), [
    ({"data": {"shape": (1, 6, 6)}, "levels": 2}, "divisible by 4"),
    ({"data": {"shape": (16,)}}, r"images \(C, H, W\)"),
])
def test_shapes_the_flow_cannot_handle_are_refused_at_creation(config, message):
    with pytest.raises(ConfigError, match=message):
        genzoo.create("glow", **config)


@pytest.mark.parametrize("data", [
    {"shape": (1, 8, 8), "kind": "discrete", "levels": 17},
    {"shape": (1, 8, 8), "kind": "binary"},
    {"shape": (1, 8, 8), "kind": "discrete", "levels": 17, "value_range": (0, 16), "dtype": "int64"},
])
def test_data_without_a_density_is_refused_with_the_view_to_use(data):
    with pytest.raises(ConfigError, match="data.view=dequantized"):
        genzoo.create("glow", data=data, **TINY)


@pytest.mark.parametrize("view", ["discrete", "binarized", "levels"])
def test_train_on_a_discrete_view_fails_in_one_line_and_writes_nothing(tmp_path, view):
    """A continuous density fitted to a mass function reported -0.83 bits/dim on data.view=discrete."""
    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["train", "glow", "--data", "digits", "--set", f"data.view={view}",
                                      "--set", "model.levels=1", "--set", "model.steps_per_level=1",
                                      "--set", "model.hidden_channels=4", "--set", "train.steps=2", "--out", str(out)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "data.view=dequantized" in result.output
    assert not out.exists()


def test_samples_that_overflow_the_inverse_are_refused_not_returned_as_nan():
    """A sigmoid coupling's inverse divides by sigmoid(raw + 2): with raw = -100 that is ~e^-98, and the
    inverse overflows float32 (e^98 > 3.4e38). generate must raise, never hand back inf/NaN."""
    model = genzoo.create("glow", data={"shape": (1, 2, 2), "value_range": None}, **TINY).eval()
    coupling = next(layer for layer in model.modules() if isinstance(layer, AffineCoupling))
    with torch.no_grad():
        coupling.net[-1].bias[coupling.net[-1].bias.numel() // 2:] = -100.0  # the raw log-scale half
    with pytest.raises(GenzooError, match="overflowed to inf/NaN.*lower temperature"):
        model.generate_tempered(8, 2.0, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ConfigError, match="temperature"):  # the sampler stops at the model's own T = 1
        model.sample(2, sampler="temperature", temperature=2.0)


def test_an_empty_batch_has_an_empty_log_prob():
    model = genzoo.create("glow", data={"shape": (1, 4, 4), "levels": 256}, **TINY).eval()
    assert model.log_prob(torch.zeros(0, 1, 4, 4)).shape == (0,)


def test_data_outside_the_support_is_refused_with_nothing_computed():
    model = genzoo.create("glow", data={"shape": (1, 4, 4), "levels": 256}, **TINY)
    with pytest.raises(CapabilityError, match="outside the flow's support"):
        model.log_prob(torch.full((2, 1, 4, 4), 1.5))
