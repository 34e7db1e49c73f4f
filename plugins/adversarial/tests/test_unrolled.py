"""Unrolled GAN: k = 0 is the plain GAN, and the generator's gradient flows through the unrolled steps."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F

import genzoo
from genzoo.plugin import Batch

from genzoo_adversarial.gan import GANStep
from genzoo_adversarial.unrolled import UnrolledGANStep

# G(z) = A z + c and D(x) = w.x + b: one unrolled step can be written out by hand.
LINEAR = {"generator_hidden": (), "discriminator_hidden": (), "generator_batch_norm": False}


def linear_model():
    torch.manual_seed(0)
    return genzoo.create("unrolled-gan", **LINEAR)


def generator_grads(model, step, batch, seed):
    model.zero_grad()
    torch.manual_seed(seed)
    loss = step.loss(model, batch, "generator", {})["loss"]
    loss.backward()
    return loss.detach(), [p.grad.clone() for p in model.generator.parameters()]


def test_no_unrolling_is_the_plain_non_saturating_gan():
    model, batch = linear_model(), Batch(torch.randn(8, 2))
    unrolled = generator_grads(model, UnrolledGANStep(unroll_steps=0), batch, seed=1)
    plain = generator_grads(model, GANStep(), batch, seed=1)
    assert unrolled[0].item() == pytest.approx(plain[0].item(), rel=1e-6)
    assert all(torch.allclose(a, b) for a, b in zip(unrolled[1], plain[1], strict=True))


def _one_unrolled_step_by_hand(model, real, z, lr, detach_lookahead=False):
    """J_D = E softplus(-(w.x + b)) + E softplus(w.f + b), so
    dJ/dw = E[-sigmoid(-r) x] + E[sigmoid(s) f] and dJ/db = E[-sigmoid(-r)] + E[sigmoid(s)]."""
    linear = model.discriminator.net[0]
    w, b = linear.weight[0], linear.bias[0]
    fake = model.generator.net[0](z)
    r, s = real @ w + b, fake @ w + b
    grad_w = (-torch.sigmoid(-r)[:, None] * real).mean(0) + (torch.sigmoid(s)[:, None] * fake).mean(0)
    grad_b = -torch.sigmoid(-r).mean() + torch.sigmoid(s).mean()
    w1, b1 = w - lr * grad_w, b - lr * grad_b
    if detach_lookahead:
        w1, b1 = w1.detach(), b1.detach()
    return F.softplus(-(fake @ w1 + b1)).mean()


def test_the_generator_gradient_flows_through_the_unrolled_step():
    model, real = linear_model(), torch.randn(8, 2)
    loss, grads = generator_grads(model, UnrolledGANStep(unroll_steps=1, unroll_lr=0.5), Batch(real), seed=2)
    torch.manual_seed(2)
    z = torch.randn(8, 2)
    by_hand = {}
    for detach in (False, True):
        model.zero_grad()
        value = _one_unrolled_step_by_hand(model, real, z, 0.5, detach)
        value.backward()
        by_hand[detach] = [p.grad.clone() for p in model.generator.parameters()]
    assert loss.item() == pytest.approx(value.item(), rel=1e-5)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(grads, by_hand[False], strict=True))
    # The part of the gradient that comes through theta_1's dependence on G(z) is not zero:
    assert not all(torch.allclose(a, b, atol=1e-4) for a, b in zip(grads, by_hand[True], strict=True))


def test_the_look_ahead_leaves_the_discriminator_and_its_statistics_alone():
    torch.manual_seed(0)
    model = genzoo.create("unrolled-gan", network="conv", channels=(4, 8), latent_dim=3, discriminator_batch_norm=True,
                          data={"shape": (1, 8, 8), "value_range": (0.0, 1.0)})
    before = {k: v.clone() for k, v in model.discriminator.state_dict().items()}
    UnrolledGANStep(unroll_steps=3).loss(model, Batch(torch.rand(4, 1, 8, 8)), "generator", {})["loss"].backward()
    after = model.discriminator.state_dict()
    assert any("running_mean" in k for k in before)
    assert all(torch.equal(before[k], after[k]) for k in before)
