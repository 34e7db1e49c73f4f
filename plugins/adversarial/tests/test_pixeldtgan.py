"""PixelDTGAN: the config, D_A's pair judging, who each update trains, the step's losses, a short run and translate."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner

import genzoo
from genzoo.cli.main import cli
from genzoo.plugin import Batch, ConfigError, load_dataset
from genzoo.training import train

from genzoo_adversarial.domain_transfer_losses import domain_discriminator_loss
from genzoo_adversarial.pixeldtgan_training import PixelDTGANStep

DIGIT = {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10}
SCENE = {"shape": (1, 12, 12), "value_range": (0.0, 1.0)}
WIDTHS = {"source_channels": (4, 8), "target_channels": (4, 8), "code_dim": 4, "domain_hidden": 4}
TINY = {"data": DIGIT, "source": SCENE} | WIDTHS
RUN = {"steps": 6, "batch_size": 16, "log_every": 3, "sample_every": None}
NETWORKS = ("discriminator", "domain_discriminator", "converter")


@pytest.fixture
def model():
    torch.manual_seed(0)
    return genzoo.create("pixeldtgan", **TINY)


@pytest.fixture
def pairs():
    tensors = load_dataset("digits-scenes", "train").field_tensors()
    return Batch({"x": tensors["x"][:8], "source": tensors["source"][:8]})


def test_the_default_model_turns_40x40_scenes_into_28x28_digits():
    model = genzoo.create("pixeldtgan")
    assert model.source_spec.shape == (1, 40, 40) and model.data_spec.shape == (1, 28, 28)
    assert model.translate_inputs(torch.rand(2, 1, 40, 40)).shape == (2, 1, 28, 28)


@pytest.mark.parametrize(("change", "message"), [
    ({"source": SCENE | {"shape": (1, 10, 10)}}, "divide by 4"),
    ({"target_channels": (4, 8, 16, 32)}, "divide by 16"),
    ({"data": {"shape": (2,), "value_range": (0.0, 1.0)}}, "float images"),
    ({"source": SCENE | {"value_range": None}}, "float images"),
])
def test_configs_the_networks_cannot_read_are_refused(change, message):
    with pytest.raises(ConfigError, match=message):
        genzoo.create("pixeldtgan", **(TINY | change))


def test_translation_is_a_deterministic_function_of_the_scene(model, pairs):
    """translate runs in eval mode (batch norm on running statistics), so batch-mates and generators do not matter."""
    source = pairs["source"]
    alone = model.translate_inputs(source[:1], generator=torch.Generator().manual_seed(1))
    together = model.translate_inputs(source, generator=torch.Generator().manual_seed(2))
    assert together.shape == (8, 1, 8, 8) and torch.allclose(alone, together[:1], atol=1e-6)
    assert 0.0 <= together.min() and together.max() <= 1.0


def test_the_domain_discriminator_judges_each_pair_as_if_alone(model, pairs):
    source, target = pairs["source"], pairs.x
    together = model.judge_pairs(source, target, target.flip(0))
    alone = [torch.cat([model.judge_pairs(source[i:i + 1], images[i:i + 1])[0] for i in range(8)])
             for images in (target, target.flip(0))]
    assert [t.shape for t in together] == [(8,), (8,)]
    assert all(torch.allclose(a, t, atol=1e-6) for a, t in zip(alone, together, strict=True))


def test_each_update_reaches_only_its_own_network(model, pairs):
    step = PixelDTGANStep()
    for group in NETWORKS:
        model.zero_grad(set_to_none=True)
        step.loss(model, pairs, group, {})["loss"].backward()
        for other in NETWORKS:
            grads = [p.grad for p in getattr(model, other).parameters()]
            if other == group:
                assert any(g is not None and g.abs().sum() > 0 for g in grads)
            else:
                assert all(g is None for g in grads)


def test_the_domain_update_takes_each_pairs_neighbour_as_its_unassociated_target(model, pairs):
    source, target = pairs["source"], pairs.x
    losses = PixelDTGANStep().loss(model, pairs, "domain_discriminator", {})
    with torch.no_grad():
        converted = model.convert(source)
    associated, unassociated, judged = (model.judge_pairs(source, images)[0] for images in
                                        (target, torch.cat([target[-1:], target[:-1]]), converted))
    assert losses["loss"].item() == pytest.approx(domain_discriminator_loss(associated, unassociated, judged).item(),
                                                  rel=1e-5)
    assert losses["a_unassociated"].item() == pytest.approx(torch.sigmoid(unassociated).mean().item(), rel=1e-5)


def test_the_converter_loss_is_both_gan_terms_plus_lambda_l1(model, pairs):
    losses = PixelDTGANStep(adversarial_weight=0.5, l1_weight=7.0).loss(model, pairs, "converter", {})
    expected = 0.5 * (losses["real_fake"] + losses["domain"]) + 7.0 * losses["l1"]
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-6)


def test_the_pixel_loss_baseline_updates_the_converter_alone(model, pairs):
    step = PixelDTGANStep(adversarial_weight=0.0, l1_weight=1.0)
    assert tuple(step.updates(0)) == ("converter",)
    assert tuple(PixelDTGANStep().updates(0)) == NETWORKS
    losses = step.loss(model, pairs, "converter", {})
    assert set(losses) == {"loss", "l1"} and losses["loss"].item() == pytest.approx(losses["l1"].item())


def test_a_converter_with_no_loss_is_refused():
    with pytest.raises(ValueError, match="both 0"):
        PixelDTGANStep(adversarial_weight=0.0, l1_weight=0.0)


@pytest.mark.parametrize(("batch", "message"), [
    (Batch(torch.zeros(2, 1, 8, 8)), "'source' field"),
    (Batch({"x": torch.zeros(2, 1, 8, 8), "source": torch.zeros(2, 1, 8, 8)}), "model.source.shape=\\[1,8,8\\]"),
])
def test_data_the_model_cannot_learn_from_is_refused_with_the_fix(model, batch, message):
    with pytest.raises(ConfigError, match=message):
        PixelDTGANStep().loss(model, batch, "converter", {})


def test_a_batch_of_one_pair_has_no_unassociated_target(model, pairs):
    with pytest.raises(ConfigError, match="2 or more"):
        PixelDTGANStep().loss(model, Batch({"x": pairs.x[:1], "source": pairs["source"][:1]}),
                              "domain_discriminator", {})


def test_a_short_run_writes_a_checkpoint_that_genzoo_translate_runs(tmp_path):
    result = train("pixeldtgan", data="digits-scenes", out=tmp_path / "run", progress=False, train=RUN,
                   model={"source": SCENE} | WIDTHS)
    assert result.step == 6
    assert {"converter/domain", "domain_discriminator/a_unassociated", "discriminator/loss"} <= set(result.metrics)
    loaded = genzoo.load(tmp_path / "run")
    assert loaded.data_spec.shape == (1, 8, 8) and loaded.source_spec.shape == (1, 12, 12)
    output = tmp_path / "pairs.png"
    invoked = CliRunner().invoke(cli, ["translate", str(tmp_path / "run"), "--input", "digits-cluttered:3", "--input",
                                       "digits-cluttered:4", "-o", str(output)])
    assert invoked.exit_code == 0, invoked.output
    assert "wrote 2 translations" in invoked.output and output.is_file()
