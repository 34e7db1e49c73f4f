"""PacGAN: the discriminator judges packs of m examples; batches must divide by m."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo.plugin import Batch, ConfigError
from genzoo.training import train

from genzoo_adversarial.base import whole_packs
from genzoo_adversarial.gan import GANStep
from genzoo_adversarial.losses import discriminator_loss
from genzoo_adversarial.pacgan import PacGANConfig

TINY = {"generator_hidden": (8,), "discriminator_hidden": (8,)}


def test_pacgan4_by_default_and_at_least_two():
    assert PacGANConfig().pack == 4
    with pytest.raises(ValueError, match="greater than or equal to 2"):
        PacGANConfig(pack=1)


def test_the_discriminator_scores_each_pack_once():
    torch.manual_seed(0)
    model = genzoo.create("pacgan", **TINY)
    assert model.discriminator.net[0].in_features == 4 * 2
    x = torch.randn(8, 2)
    packed = x.reshape(2, 8)  # examples 0-3 and 4-7, side by side
    assert torch.allclose(model.discriminate(x), model.discriminator.net(packed)[:, 0])


def test_the_loss_is_the_gans_on_packs():
    torch.manual_seed(0)
    model, batch = genzoo.create("pacgan", **TINY), Batch(torch.randn(8, 2))
    torch.manual_seed(1)
    loss = GANStep().loss(model, batch, "discriminator", {})["loss"]
    torch.manual_seed(1)
    with torch.no_grad():
        fake = model.fake(torch.randn(8, 2))
        expected = discriminator_loss(model.discriminate(batch.x), model.discriminate(fake))
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_a_batch_that_does_not_divide_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not divide into packs of 4"):
        train("pacgan", data="8gaussians", out=tmp_path, model=TINY,
              train={"steps": 1, "batch_size": 10, "sample_every": None}, progress=False)


def test_an_epochs_last_partial_batch_loses_only_its_remainder():
    x, label = torch.arange(20.0).reshape(10, 2), torch.arange(10)
    cut = whole_packs(Batch({"x": x, "label": label}, step=7), 4)
    assert torch.equal(cut.x, x[:8]) and torch.equal(cut.label, label[:8]) and cut.step == 7
    assert whole_packs(Batch(x, step=7), 5).x is x
    with pytest.raises(ConfigError, match="does not divide into packs of 4"):
        whole_packs(Batch(x, step=0), 4)  # the first batch has the run's batch size
