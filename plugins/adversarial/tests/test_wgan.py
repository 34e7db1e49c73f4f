"""WGAN with weight clipping and WGAN-GP: losses on a critic whose answer is known, clipping that is
actually applied (PyTorch-GAN #196: `clip_value` parsed but never used), and the per-example penalty."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo.plugin import Batch
from genzoo.training import train

from genzoo_adversarial.wgan import ClippedWGANStep, GradientPenaltyStep, WGANGPConfig

LINEAR = {"generator_hidden": (8,), "discriminator_hidden": ()}  # the critic is f(x) = w.x + b


def linear_critic_model(architecture="wgan-gp"):
    torch.manual_seed(0)
    model = genzoo.create(architecture, **LINEAR)
    with torch.no_grad():
        model.discriminator.net[0].weight.copy_(torch.tensor([[3.0, 4.0]]))
        model.discriminator.net[0].bias.fill_(0.5)
    return model


def test_critic_loss_and_penalty_of_a_linear_critic():
    """f(x) = 3 x1 + 4 x2 + 0.5: critic loss = E f(fake) - E f(real) = w.(mean fake - mean real); the
    gradient norm is 5 at every point, so the penalty is (5 - 1)^2 = 16 and the loss adds 10 * 16."""
    model = linear_critic_model()
    real = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    torch.manual_seed(3)
    losses = GradientPenaltyStep().loss(model, Batch(real), "discriminator", {})
    torch.manual_seed(3)
    with torch.no_grad():
        fake = model.fake(torch.randn(2, 2))
    w = torch.tensor([3.0, 4.0])
    wasserstein = (real.mean(0) @ w - fake.mean(0) @ w).item()
    assert losses["wasserstein"].item() == pytest.approx(wasserstein, rel=1e-5)
    assert losses["gradient_penalty"].item() == pytest.approx(16.0, rel=1e-5)
    assert losses["loss"].item() == pytest.approx(-wasserstein + 160.0, rel=1e-5)


def test_the_generator_minimises_minus_the_critic_of_its_fakes():
    model = linear_critic_model()
    batch = Batch(torch.zeros(4, 2))
    torch.manual_seed(5)
    loss = GradientPenaltyStep().loss(model, batch, "generator", {})["loss"]
    torch.manual_seed(5)
    with torch.no_grad():
        fake = model.fake(torch.randn(4, 2))
    assert loss.item() == pytest.approx(-(fake @ torch.tensor([3.0, 4.0]) + 0.5).mean().item(), rel=1e-5)


def test_clipping_is_applied_after_every_critic_update_and_only_to_the_critic():
    model = linear_critic_model("wgan")
    generator_before = [p.clone() for p in model.generator.parameters()]
    step = ClippedWGANStep(clip=0.25)
    with torch.no_grad():
        step.after_update(model, "generator", {})
        assert model.discriminator.net[0].weight.abs().max() == 4.0  # untouched by the generator's update
        step.after_update(model, "discriminator", {})
    assert torch.equal(model.discriminator.net[0].weight, torch.tensor([[0.25, 0.25]]))
    assert model.discriminator.net[0].bias.item() == 0.25
    assert all(torch.equal(a, b) for a, b in zip(generator_before, model.generator.parameters(), strict=True))


def test_a_clipped_run_keeps_the_critic_in_the_box(tmp_path):
    result = train("wgan", data="8gaussians", out=tmp_path,
                   model={"generator_hidden": (8,), "discriminator_hidden": (8,)},
                   train={"steps": 3, "batch_size": 16, "log_every": 3, "sample_every": None,
                          "groups": {"discriminator": {"lr": 0.1}}},
                   step={"clip": 0.03, "n_critic": 2}, progress=False)
    critic = genzoo.load(result.path).discriminator
    largest = max(p.abs().max().item() for p in critic.parameters())
    assert largest == pytest.approx(0.03)  # lr 0.1 pushes weights past the box: clipping put them back on its edge
    assert "discriminator/wasserstein" in result.metrics


def test_trainer_defaults():
    assert ClippedWGANStep().updates(0) == ("discriminator",) * 5 + ("generator",)
    assert GradientPenaltyStep().gp_weight == 10.0
    assert GradientPenaltyStep.group_defaults["discriminator"] == {"lr": 1e-4, "betas": (0.0, 0.9), "ema": False}
    assert ClippedWGANStep.group_defaults["discriminator"]["betas"][0] == 0.0  # no momentum, as the paper advises


def test_wgan_gp_refuses_a_batch_normalised_critic():
    with pytest.raises(ValueError, match="must not use batch norm"):
        WGANGPConfig(discriminator_batch_norm=True)


def test_spectral_normalisation_is_a_model_option():
    torch.manual_seed(0)
    model = genzoo.create("wgan", spectral_norm=True, generator_hidden=(8,), discriminator_hidden=(8,))
    layer = model.discriminator.net[0]
    assert torch.nn.utils.parametrize.is_parametrized(layer, "weight")
    loss = GradientPenaltyStep().loss(model, Batch(torch.randn(8, 2)), "discriminator", {})["loss"]
    loss.backward()
    assert layer.parametrizations.weight.original.grad is not None
