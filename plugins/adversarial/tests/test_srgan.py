"""SRGAN: the generator's shape rules, both trainers on the 8x8 digits, the metrics and `genzoo translate`."""

from __future__ import annotations

import pytest
import torch
from click.testing import CliRunner
from pydantic import ValidationError
from torch import nn

import genzoo
from genzoo.cli.main import cli
from genzoo.metrics import evaluate
from genzoo.plugin import Batch, ConfigError, EvalRequest, load_dataset
from genzoo.training import train

from genzoo_adversarial.srgan import SRGANConfig
from genzoo_adversarial.srgan_training import PixelStep, SRGANStep
from genzoo_adversarial.superresolution_losses import pixel_loss

pytest.importorskip("sklearn")

DIGITS = {"data": {"shape": (1, 8, 8), "value_range": (0.0, 1.0), "levels": 17, "num_classes": 10},
          "source": {"shape": (1, 4, 4), "value_range": (0.0, 1.0)}}
TINY = DIGITS | {"channels": 4, "residual_blocks": 1, "discriminator_channels": (4,), "discriminator_hidden": 8}
TINY_SETTINGS = ["model.channels=4", "model.residual_blocks=1", "model.discriminator_channels=[4]",
                 "model.discriminator_hidden=8", "model.source.shape=[1,4,4]"]
RUN = {"steps": 3, "batch_size": 8, "log_every": 1, "sample_every": None}


def test_defaults_upsample_mnist_7x7_four_times_with_two_pixel_shuffles():
    torch.manual_seed(0)
    model = genzoo.create("srgan")
    assert (model.source_spec.shape, model.data_spec.shape, model.config.scale) == ((1, 7, 7), (1, 28, 28), 4)
    assert sum(isinstance(m, nn.PixelShuffle) for m in model.generator.modules()) == 2
    outputs = model.translate_inputs(torch.rand(2, 1, 7, 7))
    assert outputs.shape == (2, 1, 28, 28) and 0 <= outputs.min() and outputs.max() <= 1
    assert model.discriminate(outputs).shape == (2,)


@pytest.mark.parametrize("source, message", [((1, 5, 5), "shrunk by a power of two"),
                                             ((1, 14, 7), "shrunk by a power of two"),
                                             ((3, 7, 7), "shrunk by a power of two"),
                                             ((1, 28, 28), "shrunk by a power of two")])
def test_the_source_must_be_the_data_shrunk_by_a_power_of_two(source, message):
    with pytest.raises(ValidationError, match=message):
        SRGANConfig(source={"shape": source, "value_range": (0.0, 1.0)})


def test_an_eighth_size_source_gets_three_upsampling_stages():
    config = SRGANConfig(data={"shape": (1, 32, 32), "value_range": (0.0, 1.0)},
                         source={"shape": (1, 4, 4), "value_range": (0.0, 1.0)})
    assert config.scale == 8


def _batch(model, n=4):
    g = torch.Generator().manual_seed(0)
    return Batch({"x": torch.rand(n, 1, 8, 8, generator=g), "source": torch.rand(n, 1, 4, 4, generator=g)})


def test_the_pixel_step_is_l1_to_the_target():
    model = genzoo.create("srgan", **TINY)
    batch = _batch(model)
    losses = PixelStep().loss(model, batch, "generator", {})
    assert losses["loss"].item() == pytest.approx(pixel_loss(model.upsample(batch["source"]), batch.x).item())
    assert set(PixelStep().parameters(model, "generator")) == set(model.generator.parameters())


def test_the_srgan_step_weighs_its_three_generator_terms():
    torch.manual_seed(0)
    model = genzoo.create("srgan", **TINY).eval()  # eval: batch norm gives the same outputs on every call
    batch = _batch(model)
    step = SRGANStep(perceptual_classifier="classifier-digits", pixel_weight=2.0, perceptual_weight=3.0,
                     adversarial_weight=0.5)
    losses = step.loss(model, batch, "generator", {})
    expected = 2 * losses["pixel"] + 3 * losses["perceptual"] + 0.5 * losses["adversarial"]
    assert losses["loss"].item() == pytest.approx(expected.item())
    fake_logits = model.discriminate(model.upsample(batch["source"]))
    assert losses["adversarial"].item() == pytest.approx(torch.nn.functional.softplus(-fake_logits).mean().item())
    losses["loss"].backward()
    assert all(p.grad is None for p in model.discriminator.parameters())  # only G's update, through D
    assert all(p.grad is not None for p in model.generator.parameters())


def test_the_srgan_discriminator_step_trains_d_on_real_and_detached_fakes():
    torch.manual_seed(0)
    model = genzoo.create("srgan", **TINY).eval()
    batch = _batch(model)
    losses = SRGANStep(perceptual_classifier="classifier-digits").loss(model, batch, "discriminator", {})
    real = model.discriminate(batch.x)
    fake = model.discriminate(model.upsample(batch["source"]))
    expected = torch.nn.functional.softplus(-real).mean() + torch.nn.functional.softplus(fake).mean()
    assert losses["loss"].item() == pytest.approx(expected.item())
    losses["loss"].backward()
    assert all(p.grad is None for p in model.generator.parameters())


def test_the_steps_refuse_unpaired_data_and_a_mismatched_classifier():
    model = genzoo.create("srgan", **TINY)
    with pytest.raises(ConfigError, match="paired data with a 'source' field"):
        PixelStep().loss(model, Batch(torch.rand(2, 1, 8, 8)), "generator", {})
    with pytest.raises(ConfigError, match=r"source images are \(1, 2, 2\) but the model takes \(1, 4, 4\)"):
        PixelStep().loss(model, Batch({"x": torch.rand(2, 1, 8, 8), "source": torch.rand(2, 1, 2, 2)}), "generator", {})
    with pytest.raises(ConfigError, match=r"reads images of \(1, 28, 28\), but the model makes \(1, 8, 8\)"):
        SRGANStep().loss(model, _batch(model), "generator", {})


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny SRGAN trained a few steps on digits-sr with each trainer."""
    out = tmp_path_factory.mktemp("srgan")
    torch.manual_seed(0)
    pixel = train("srgan", data="digits-sr", trainer="pixel", out=out / "pixel", model=TINY, train=RUN, progress=False)
    srgan = train("srgan", data="digits-sr", out=out / "srgan", model=TINY, train=RUN,
                  step={"perceptual_classifier": "classifier-digits"}, progress=False)
    return pixel, srgan


def test_both_trainers_run_on_the_digit_pairs(trained):
    pixel, srgan = trained
    assert {"loss", "pixel"} <= set(pixel.metrics)
    generator_terms = {"generator/pixel", "generator/perceptual", "generator/adversarial"}
    assert {"discriminator/loss", *generator_terms} <= set(srgan.metrics)
    model = genzoo.load(srgan.path)
    assert model.translate_inputs(torch.rand(2, 1, 4, 4)).shape == (2, 1, 8, 8)


def test_psnr_and_ssim_of_a_trained_model_on_its_pairs(trained):
    from genzoo.metrics.fidelity import psnr, ssim

    model = genzoo.load(trained[0].path)
    tensors = load_dataset("digits-sr", "test").field_tensors()
    outputs = model.translate_inputs(tensors["source"])
    (value,) = evaluate(model, "psnr", EvalRequest(data="digits-sr"))
    assert value.value == pytest.approx(psnr(outputs, tensors["x"], 1.0).mean().item())
    (value,) = evaluate(model, "ssim", EvalRequest(data="digits-sr"))
    assert value.value == pytest.approx(ssim(outputs, tensors["x"], 1.0).mean().item())


def test_genzoo_translate_shows_each_low_resolution_input_beside_its_output(trained, tmp_path):
    result = CliRunner().invoke(cli, ["translate", str(trained[1].path), "--input", "digits-lowres:3",
                                      "--input", "digits-lowres:4", "-o", str(tmp_path / "sr.png")])
    assert result.exit_code == 0, result.output
    assert "wrote 2 translations" in result.output and (tmp_path / "sr.png").is_file()


def test_the_family_cli_names_the_pixel_trainer(tmp_path):
    result = CliRunner().invoke(cli, ["train", "srgan", "--data", "digits-sr", "--trainer", "l2",
                                      *sum((["--set", s] for s in TINY_SETTINGS), []), "--out", str(tmp_path / "x")])
    assert result.exit_code != 0 and "choose --trainer srgan or pixel" in result.output
