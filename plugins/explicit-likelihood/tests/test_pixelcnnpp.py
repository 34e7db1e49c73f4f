"""PixelCNN++: the autoregressive property (gradients and perturbations, 28 x 28 and 8 x 8), normalised levels,
log_prob against the all-levels view, naive sampling and completion, the conformance kit on a tiny config,
training on 17-level digits through genzoo's loop and bits/dim from `genzoo eval`, and the one-line errors."""

import json

import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.plugin import ConfigError, load_dataset
from genzoo.testing import ConformanceSuite
from genzoo.training import train

DIGITS = {"shape": (1, 8, 8), "kind": "discrete", "dtype": "int64", "value_range": (0, 16), "levels": 17}
SMALL = {"filters": 8, "components": 3}


class TestPixelCNNPPConformance(ConformanceSuite):
    architectures = ("pixelcnnpp",)


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def small_model(data=None, **config):
    torch.manual_seed(0)
    model = genzoo.create("pixelcnnpp", **({} if data is None else {"data": data}), **{**SMALL, **config})
    return model.eval()


@pytest.mark.parametrize(("data", "positions"), [
    (None, [0, 1, 27, 28, 29, 55, 56, 405, 782, 783]),  # 28 x 28: corners, row ends and starts, the middle
    (DIGITS, range(64)),
])
def test_pixel_t_has_no_gradient_from_pixels_at_or_after_t(data, positions):
    """d(mixture of pixel t) / d(image) is exactly zero at pixels >= t and nonzero at its left and upper
    neighbours (the two streams leave no blind spot next to the pixel)."""
    model = small_model(data, resnets=2)
    _, height, width = model.data_spec.shape
    image = (torch.rand(1, 1, height, width, generator=seeded(1)) * 2 - 1).requires_grad_()
    parameters = model.mixture_parameters(image)
    for t in positions:
        (grad,) = torch.autograd.grad(sum(p[0, t].sum() for p in parameters), image, retain_graph=True)
        grad = grad.flatten()
        assert not grad[t:].any(), f"pixel {t} depends on pixels {grad[t:].nonzero().flatten().tolist()} at or after it"
        neighbours = [t - 1] * (t % width > 0) + [t - width] * (t >= width)
        assert all(grad[s] != 0 for s in neighbours), f"pixel {t} does not see {neighbours}"


@pytest.mark.parametrize(("data", "changed"), [(None, [0, 30, 391, 783]), (DIGITS, range(64))])
def test_changing_pixel_s_leaves_the_log_probs_of_pixels_up_to_s_bit_for_bit(data, changed):
    model = small_model(data)
    length, values = model.sequence_length, model.num_values
    base = torch.randint(values, (2, length), generator=seeded(2))
    with torch.no_grad():
        log_probs = model.element_log_probs(base)
        for s in changed:
            other = base.clone()
            other[:, s] = (other[:, s] + values // 2) % values
            after = model.element_log_probs(other)
            assert torch.equal(after[:, : s + 1], log_probs[:, : s + 1])
            if s < length - 1:
                assert not torch.equal(after[:, s + 1 :], log_probs[:, s + 1 :])


def test_every_pixel_is_a_normalised_distribution_over_256_levels_and_log_prob_picks_the_observed_ones():
    model = small_model()
    x = torch.randint(256, (3, 1, 28, 28), generator=seeded(3))
    with torch.no_grad():
        log_probs = model.element_log_probs(model.to_sequence(x))
        assert log_probs.shape == (3, 784, 256)
        assert (log_probs.exp().sum(-1) - 1).abs().max() < 1e-5
        picked = log_probs.gather(-1, x.reshape(3, 784, 1)).squeeze(-1).sum(-1)
        assert torch.allclose(model.log_prob(x), picked, rtol=1e-6)
        assert torch.equal(model.element_logits(model.to_sequence(x)), log_probs)


def test_naive_sampling_follows_the_seed_and_keeps_a_prefix():
    model = small_model(DIGITS)
    digit = load_dataset("digits", "test", view="levels").tensors()[0][3]
    first = model.sample(3, generator=seeded(5), prefix=digit, prefix_length=20)
    again = model.sample(3, generator=seeded(5), prefix=digit, prefix_length=20)
    assert torch.equal(first, again) and first.dtype == torch.int64 and first.shape == (3, 1, 8, 8)
    assert torch.equal(first.flatten(1)[:, :20], digit.flatten()[:20].expand(3, 20))
    assert first.min() >= 0 and first.max() <= 16
    assert not torch.equal(first, model.sample(3, generator=seeded(6), prefix=digit, prefix_length=20))
    assert "naive" in genzoo.get_registry().samplers_for(model.spec)
    assert "cached" not in genzoo.get_registry().samplers_for(model.spec)


@pytest.mark.parametrize(("config", "message"), [
    ({"data": {"shape": (3, 8, 8), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 256}},
     "grey images shaped (1, H, W), got (3, 8, 8)"),
    ({"data": {"shape": (64,), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 256}}, "got (64,)"),
    ({"data": DIGITS, "order": "random"}, "raster order only"),
])
def test_unsupported_configs_are_one_line_errors(config, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        genzoo.create("pixelcnnpp", **config)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("pixelcnnpp") / "run"
    train("pixelcnnpp", data="digits", out=out, data_options={"view": "levels"},
          model={**SMALL, "downsamples": 1},
          train={"steps": 40, "batch_size": 32, "lr": 5e-3, "log_every": 20, "sample_every": None}, progress=False)
    return out


def test_training_on_17_level_digits_lowers_the_nll(trained):
    model = genzoo.load(trained)
    test, _ = load_dataset("digits", split="test", view="levels").tensors()
    torch.manual_seed(0)
    initial = genzoo.create("pixelcnnpp", data=model.data_spec, **SMALL, downsamples=1).eval()
    with torch.no_grad():
        before, after = -initial.log_prob(test).mean(), -model.log_prob(test).mean()
    assert after < before - 20


def test_genzoo_eval_reports_bits_per_dim_for_the_levels(trained, tmp_path):
    result = CliRunner().invoke(cli, ["eval", str(trained), "--metric", "nll", "--data", "digits", "--device", "cpu",
                                      "-o", str(tmp_path / "nll.json")])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads((tmp_path / "nll.json").read_text())["results"]}
    model = genzoo.load(trained)
    test, _ = load_dataset("digits", split="test", view="levels").tensors()
    with torch.no_grad():
        nll = -model.log_prob(test).double().mean().item()
    assert rows["nll"]["value"] == pytest.approx(nll, rel=1e-6)
    assert rows["bits/dim"]["value"] == pytest.approx(nll / (64 * torch.log(torch.tensor(2.0)).item()), rel=1e-6)
    assert "17 levels" in rows["bits/dim"]["notes"]
