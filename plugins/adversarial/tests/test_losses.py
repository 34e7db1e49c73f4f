"""Every adversarial loss against numbers worked out by hand on a tiny input.

Logits are chosen so that D = sigmoid(logit) is a round number: logit 0 -> D = 1/2, ln 3 -> 3/4,
-ln 3 -> 1/4.
"""

from __future__ import annotations

import math

import pytest
import torch

from genzoo_adversarial.losses import (
    critic_generator_loss,
    critic_loss,
    discriminator_loss,
    gradient_penalty,
    interpolate,
    minimax_generator_loss,
    non_saturating_generator_loss,
)

LN3 = math.log(3)


def test_discriminator_loss_is_the_papers_J_D():
    # D(x) = 1/2, 3/4: -log D = ln 2, ln 4/3.  D(G(z)) = 1/2, 1/4: -log(1 - D) = ln 2, ln 4/3.
    real, fake = torch.tensor([0.0, LN3]), torch.tensor([0.0, -LN3])
    expected = (math.log(2) + math.log(4 / 3)) / 2 + (math.log(2) + math.log(4 / 3)) / 2  # two means
    assert discriminator_loss(real, fake).item() == pytest.approx(expected, rel=1e-6)


def test_generator_losses():
    fake = torch.tensor([0.0, -LN3])  # D(G(z)) = 1/2, 1/4
    # minimax: E[log(1 - D)] = (log 1/2 + log 3/4) / 2
    assert minimax_generator_loss(fake).item() == pytest.approx((math.log(0.5) + math.log(0.75)) / 2, rel=1e-6)
    # non-saturating: E[-log D] = (ln 2 + ln 4) / 2
    assert non_saturating_generator_loss(fake).item() == pytest.approx((math.log(2) + math.log(4)) / 2, rel=1e-6)


def test_minimax_saturates_where_non_saturating_does_not():
    """d/dl of log(1 - sigmoid(l)) is -sigmoid(l) (~ -4.5e-5 at l = -10); of -log sigmoid(l) it is
    -sigmoid(-l) (~ -1): the reason for the non-saturating loss."""
    for loss, expected in ((minimax_generator_loss, -1 / (1 + math.exp(10))),
                           (non_saturating_generator_loss, -1 / (1 + math.exp(-10)))):
        logit = torch.tensor([-10.0], requires_grad=True)
        loss(logit).backward()
        assert logit.grad.item() == pytest.approx(expected, rel=1e-5)


def test_losses_stay_finite_for_a_confident_discriminator():
    """Logits of +-200 make sigmoid exactly 0 or 1 in float32; log(sigmoid) would give inf."""
    real, fake = torch.tensor([-200.0]), torch.tensor([200.0])
    assert discriminator_loss(real, fake).item() == pytest.approx(400.0)
    assert non_saturating_generator_loss(-fake).item() == pytest.approx(200.0)
    assert minimax_generator_loss(fake).item() == pytest.approx(-200.0)


def test_wasserstein_losses():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.5, -0.5, 3.0])
    assert critic_loss(real, fake).item() == pytest.approx(1.0 - 2.0)  # E f(fake) - E f(real)
    assert critic_generator_loss(fake).item() == pytest.approx(-1.0)


def test_interpolation_weight_is_drawn_once_per_example():
    """PyTorch-GAN issue #5: eps drawn per pixel puts x^ off the real-fake segment. With real = 0 and
    fake = 1 every pixel of an example must equal that example's eps, the n draws of U[0, 1)."""
    real, fake = torch.zeros(4, 1, 3, 3), torch.ones(4, 1, 3, 3)
    points = interpolate(real, fake, torch.Generator().manual_seed(0))
    eps = torch.rand(4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(points, eps[:, None, None, None].expand(4, 1, 3, 3))
    assert points.flatten(1).std(dim=1).max() == 0 and len(points.flatten(1)[:, 0].unique()) == 4


def test_interpolation_lies_on_each_segment():
    real = torch.tensor([[0.0, 0.0], [2.0, 2.0]])
    fake = torch.tensor([[4.0, 2.0], [2.0, 6.0]])
    points = interpolate(real, fake, torch.Generator().manual_seed(1))
    eps = torch.rand(2, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(points, torch.tensor([[4 * eps[0], 2 * eps[0]], [2.0, 2 + 4 * eps[1]]]))


def test_gradient_penalty_of_a_linear_critic():
    """f(x) = w.x with w = (3, 4): ||grad f|| = 5 everywhere, penalty (5 - 1)^2 = 16, and
    d penalty / d w = 2 (||w|| - 1) w / ||w|| = 2 * 4 * (0.6, 0.8) = (4.8, 6.4)."""
    critic = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 4.0]]))
    penalty = gradient_penalty(lambda x: critic(x)[:, 0], torch.randn(5, 2))
    assert penalty.item() == pytest.approx(16.0, rel=1e-6)
    penalty.backward()
    assert torch.allclose(critic.weight.grad, torch.tensor([[4.8, 6.4]]))


def test_gradient_penalty_of_a_quadratic_critic():
    """f(x) = ||x||^2 / 2 has gradient x: norms 1 and 2 at these points, penalty (0 + 1) / 2."""
    points = torch.tensor([[0.6, 0.8], [0.0, 2.0]])
    assert gradient_penalty(lambda x: x.square().sum(1) / 2, points).item() == pytest.approx(0.5, rel=1e-6)


def test_gradient_penalty_takes_the_norm_over_a_whole_pack():
    """A critic scoring packs of 2 points with weights (3, 4) on the first and (0, 0) on the second:
    each pack's gradient norm is 5, penalty 16 (per example it would be (16 + 1) / 2)."""
    weights = torch.tensor([3.0, 4.0, 0.0, 0.0])
    penalty = gradient_penalty(lambda x: x.reshape(2, 4) @ weights, torch.randn(4, 2))
    assert penalty.item() == pytest.approx(16.0, rel=1e-6)


def test_gradient_penalty_of_a_flat_critic_is_one_with_finite_gradients():
    scale = torch.tensor(0.0, requires_grad=True)
    penalty = gradient_penalty(lambda x: scale * x.sum(1), torch.randn(3, 2))
    penalty.backward()
    assert penalty.item() == pytest.approx(1.0, abs=1e-5)
    assert torch.isfinite(scale.grad)
