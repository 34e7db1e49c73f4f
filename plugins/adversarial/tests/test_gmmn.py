"""The moment matching network: a generator alone, trained by the unbiased MMD^2."""

import json

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, ConfigError
from genzoo.training import train
from genzoo_adversarial.gmmn import MMDStep
from genzoo_adversarial.mmd import unbiased_mmd2

TINY = {"latent_dim": 2, "generator_hidden": (8,)}


def test_the_model_has_a_generator_and_no_discriminator():
    model = genzoo.create("gmmn", **TINY)
    assert not hasattr(model, "discriminator")
    assert {name.split(".")[0] for name in model.state_dict()} == {"generator"}


def test_step_loss_is_the_unbiased_mmd2_of_fakes_against_the_batch():
    model = genzoo.create("gmmn", **TINY).eval()
    x = torch.randn(16, 2)
    step = MMDStep(bandwidths=(0.5, 2.0))
    torch.manual_seed(0)
    value = step.loss(model, Batch(x), "generator", {})["loss"]
    torch.manual_seed(0)
    expected = unbiased_mmd2(model.fake(model.sample_latent(16)), x, (0.5, 2.0))
    assert value.item() == pytest.approx(expected.item())
    assert list(step.parameters(model, "generator")) == list(model.generator.parameters())


@pytest.mark.parametrize("bandwidths", [(), (0.0,), (-1.0, 1.0)])
def test_bandwidths_must_be_positive_and_given(bandwidths):
    with pytest.raises(ValueError):
        MMDStep(bandwidths=bandwidths)


def test_a_batch_of_one_is_a_clear_error():
    with pytest.raises(ConfigError, match="batch_size >= 2"):
        MMDStep().loss(genzoo.create("gmmn", **TINY), Batch(torch.randn(1, 2)), "generator", {})


def test_training_lowers_the_mmd_on_the_ring(tmp_path):
    result = train("gmmn", data="8gaussians", out=tmp_path, model={"latent_dim": 2, "generator_hidden": (32, 32)},
                   train={"steps": 60, "batch_size": 64, "lr": 3e-3, "log_every": 20, "sample_every": None},
                   progress=False)
    losses = [json.loads(line)["loss"] for line in (tmp_path / "train" / "metrics.jsonl").read_text().splitlines()]
    assert len(losses) == 3 and losses[-1] < 0.5 * losses[0]
    samples = genzoo.load(result.path).sample(500, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (500, 2) and torch.isfinite(samples).all()
