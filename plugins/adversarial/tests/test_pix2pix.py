"""pix2pix: the config, who each update trains, deterministic translation, a short run and `genzoo translate`."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.plugin import Batch, ConfigError, load_dataset
from genzoo.training import train

from genzoo_adversarial.pix2pix import Pix2PixStep

DIGIT = {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17}
TINY = {"generator_channels": (4, 8), "discriminator_channels": (4, 8), "data": DIGIT}
RUN = {"steps": 6, "batch_size": 16, "log_every": 3, "sample_every": None}


@pytest.fixture
def model():
    torch.manual_seed(0)
    return genzoo.create("pix2pix", **TINY)


@pytest.fixture
def pairs():
    tensors = load_dataset("edges2digits", "train").field_tensors()
    return Batch({"x": tensors["x"][:8], "source": tensors["source"][:8]})


def test_the_source_defaults_to_images_of_the_data_shape_in_0_1(model):
    assert model.source_spec.shape == (1, 8, 8) and model.source_spec.value_range == (0.0, 1.0)
    assert genzoo.create("pix2pix", **TINY, source={"shape": (3, 8, 8), "value_range": (0.0, 1.0)}).source_spec.shape \
        == (3, 8, 8)


@pytest.mark.parametrize(("change", "message"), [
    ({"source": {"shape": (1, 4, 4), "value_range": (0.0, 1.0)}}, "height and width"),
    ({"data": {"shape": (2,), "value_range": (0.0, 1.0)}}, "float images"),
    ({"data": DIGIT | {"value_range": None}}, "float images"),
])
def test_configs_that_cannot_translate_images_are_refused(change, message):
    with pytest.raises(ConfigError, match=message):
        genzoo.create("pix2pix", **(TINY | change))


def test_the_discriminator_sees_the_source_beside_the_image(model):
    assert model.discriminator.net[0].in_channels == 2
    assert model.discriminate(torch.zeros(3, 1, 8, 8), torch.zeros(3, 1, 8, 8)).shape == (3, 1, 2, 2)


def test_each_update_reaches_only_its_own_network(model, pairs):
    step = Pix2PixStep()
    for group, other in (("discriminator", model.generator), ("generator", model.discriminator)):
        model.zero_grad(set_to_none=True)
        step.loss(model, pairs, group, {})["loss"].backward()
        assert all(p.grad is None for p in other.parameters())
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in getattr(model, group).parameters())


def test_the_generator_loss_is_the_adversarial_term_plus_lambda_l1(model, pairs):
    losses = Pix2PixStep(l1_weight=7.0).loss(model, pairs, "generator", {})
    assert losses["loss"].item() == pytest.approx(losses["adversarial"].item() + 7.0 * losses["l1"].item(), rel=1e-6)


def test_unpaired_batches_are_refused_with_the_fix(model):
    with pytest.raises(ConfigError, match="'source' field"):
        Pix2PixStep().loss(model, Batch(torch.zeros(2, 1, 8, 8)), "generator", {})


def test_translation_is_a_deterministic_function_of_the_input(model, pairs):
    """translate runs in eval mode: no dropout, batch norm on running statistics, so batch-mates do not matter."""
    source = pairs["source"]
    alone = model.translate_inputs(source[:1], generator=torch.Generator().manual_seed(1))
    together = model.translate_inputs(source, generator=torch.Generator().manual_seed(2))
    assert torch.allclose(alone, together[:1], atol=1e-6)
    assert 0.0 <= together.min() and together.max() <= 1.0


def test_a_short_run_writes_a_checkpoint_that_genzoo_translate_runs(tmp_path):
    result = train("pix2pix", data="edges2digits", out=tmp_path / "run", progress=False, train=RUN,
                   model={k: v for k, v in TINY.items() if k != "data"})
    assert result.step == 6 and {"generator/l1", "discriminator/loss"} <= set(result.metrics)
    loaded = genzoo.load(tmp_path / "run")
    assert loaded.data_spec.shape == (1, 8, 8) and loaded.source_spec.shape == (1, 8, 8)
    output = tmp_path / "pairs.png"
    invoked = CliRunner().invoke(cli, ["translate", str(tmp_path / "run"), "--input", "digits-edges:3", "--input",
                                       "digits-edges:4", "-o", str(output)])
    assert invoked.exit_code == 0, invoked.output
    assert "wrote 2 translations" in invoked.output and output.is_file()


def test_training_on_unpaired_data_fails_with_the_fix(tmp_path):
    with pytest.raises(ConfigError, match="edges2mnist or edges2digits"):
        train("pix2pix", data="digits", out=tmp_path / "run", progress=False, train=RUN,
              model={k: v for k, v in TINY.items() if k != "data"})


def test_the_l1_only_ablation_updates_the_generator_alone(model, pairs):
    step = Pix2PixStep(adversarial_weight=0.0)
    assert tuple(step.updates(0)) == ("generator",)
    losses = step.loss(model, pairs, "generator", {})
    assert losses["loss"].item() == pytest.approx(100.0 * losses["l1"].item(), rel=1e-6)
