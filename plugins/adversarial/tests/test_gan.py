"""The GAN's training step: which network each update reaches, its losses, and a short run."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo.plugin import Batch
from genzoo.training import train

from genzoo_adversarial.gan import GANStep
from genzoo_adversarial.losses import discriminator_loss, minimax_generator_loss, non_saturating_generator_loss


@pytest.fixture
def model():
    torch.manual_seed(0)
    return genzoo.create("gan", generator_hidden=(8,), discriminator_hidden=(8,))


def _grads(module):
    return [p.grad for p in module.parameters()]


def test_the_discriminator_update_reaches_only_the_discriminator(model):
    batch = Batch(torch.randn(16, 2))
    GANStep().loss(model, batch, "discriminator", {})["loss"].backward()
    assert all(g is None for g in _grads(model.generator))
    assert all(g is not None and g.abs().sum() > 0 for g in _grads(model.discriminator))


def test_the_discriminator_loss_scores_the_batch_against_fresh_fakes(model):
    batch = Batch(torch.randn(16, 2))
    torch.manual_seed(1)
    losses = GANStep().loss(model, batch, "discriminator", {})
    torch.manual_seed(1)
    with torch.no_grad():
        fake = model.fake(torch.randn(16, 2))
        expected = discriminator_loss(model.discriminate(batch.x), model.discriminate(fake))
    assert losses["loss"].item() == pytest.approx(expected.item(), rel=1e-6)
    assert 0 < losses["d_real"].item() < 1 and 0 < losses["d_fake"].item() < 1


@pytest.mark.parametrize("objective, loss", [("non-saturating", non_saturating_generator_loss),
                                             ("minimax", minimax_generator_loss)])
def test_the_generator_objective_option(model, objective, loss):
    batch = Batch(torch.randn(8, 2))  # only its size matters to the generator
    torch.manual_seed(2)
    value = GANStep(generator_objective=objective).loss(model, batch, "generator", {})["loss"]
    torch.manual_seed(2)
    expected = loss(model.discriminate(model.fake(torch.randn(8, 2))))
    assert value.item() == pytest.approx(expected.item(), rel=1e-6)
    value.backward()
    assert all(g is not None and g.abs().sum() > 0 for g in _grads(model.generator))


def test_an_unknown_objective_is_refused():
    with pytest.raises(ValueError, match="non-saturating"):
        GANStep(generator_objective="hinge")


def test_a_short_run_logs_both_players_and_samples(tmp_path):
    result = train("gan", data="8gaussians", out=tmp_path,
                   model={"generator_hidden": (16,), "discriminator_hidden": (16,)},
                   train={"steps": 20, "batch_size": 32, "log_every": 10, "sample_every": None},
                   step={"generator_objective": "minimax"}, progress=False)
    assert {"discriminator/loss", "generator/loss", "discriminator/d_real"} <= set(result.metrics)
    samples = genzoo.load(result.path).sample(10, generator=torch.Generator().manual_seed(0))
    assert samples.shape == (10, 2) and torch.isfinite(samples).all()
