"""pix2pix's losses against hand computations on tiny inputs."""

from __future__ import annotations

import math

import pytest
import torch

from genzoo_adversarial.paired_losses import l1_distance, pix2pix_discriminator_loss, pix2pix_generator_loss


def test_discriminator_loss_is_half_the_gan_loss_averaged_over_patches():
    # One example, a 1x2 patch map each. -log sigmoid(0) = log 2; -log(1 - sigmoid(l)) = log(1 + e^l).
    real = torch.tensor([[[[0.0, math.log(3.0)]]]])  # sigmoid(log 3) = 3/4: -log(3/4)
    fake = torch.tensor([[[[0.0, -math.log(3.0)]]]])  # 1 - sigmoid(-log 3) = 3/4: -log(3/4)
    real_term = (math.log(2.0) + math.log(4.0 / 3.0)) / 2
    fake_term = (math.log(2.0) + math.log(4.0 / 3.0)) / 2
    assert pix2pix_discriminator_loss(real, fake).item() == pytest.approx((real_term + fake_term) / 2, rel=1e-6)


def test_l1_is_a_mean_over_pixels():
    output = torch.tensor([[[[0.0, 1.0], [0.5, 0.25]]]])
    target = torch.tensor([[[[1.0, 1.0], [0.0, 0.0]]]])
    assert l1_distance(output, target).item() == pytest.approx((1.0 + 0.0 + 0.5 + 0.25) / 4)


def test_generator_loss_adds_lambda_times_l1_to_the_non_saturating_loss():
    logits = torch.tensor([[[[0.0, math.log(3.0)]]]])  # -log D: log 2 and log(4/3)
    output, target = torch.zeros(1, 1, 1, 2), torch.tensor([[[[0.2, 0.6]]]])
    losses = pix2pix_generator_loss(logits, output, target, l1_weight=10.0)
    adversarial = (math.log(2.0) + math.log(4.0 / 3.0)) / 2
    assert losses["adversarial"].item() == pytest.approx(adversarial, rel=1e-6)
    assert losses["l1"].item() == pytest.approx(0.4)
    assert losses["loss"].item() == pytest.approx(adversarial + 10.0 * 0.4, rel=1e-6)


def test_generator_loss_gradient_reaches_the_output_through_both_terms():
    output = torch.tensor([[[[0.5]]]], requires_grad=True)
    logits = 2.0 * output  # a stand-in discriminator D = sigmoid(2 G(s))
    pix2pix_generator_loss(logits, output, torch.tensor([[[[0.0]]]]), l1_weight=3.0)["loss"].backward()
    # d/dG [softplus(-2G)] = -2 sigmoid(-2G) = -2 / (1 + e); d/dG [3 |G - 0|] = 3
    assert output.grad.item() == pytest.approx(-2.0 / (1.0 + math.e) + 3.0, rel=1e-6)


def test_the_adversarial_weight_scales_the_gan_term_and_zero_needs_no_discriminator():
    logits = torch.tensor([[[[0.0]]]])  # -log D = log 2
    output, target = torch.zeros(1, 1, 1, 1), torch.tensor([[[[0.5]]]])
    weighted = pix2pix_generator_loss(logits, output, target, l1_weight=2.0, adversarial_weight=0.25)
    assert weighted["loss"].item() == pytest.approx(0.25 * math.log(2.0) + 2.0 * 0.5, rel=1e-6)
    alone = pix2pix_generator_loss(None, output, target, l1_weight=2.0, adversarial_weight=0.0)
    assert alone["loss"].item() == pytest.approx(1.0) and "adversarial" not in alone
