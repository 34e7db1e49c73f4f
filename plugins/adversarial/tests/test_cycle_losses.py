"""CycleGAN's and DiscoGAN's losses against numbers worked out by hand."""

import pytest
import torch

from genzoo_adversarial.cycle_losses import (absolute_error, least_squares_discriminator_loss,
                                             least_squares_generator_loss, squared_error)


def test_least_squares_discriminator_loss_by_hand():
    # real -> 1: ((0.5 - 1)^2 + (2 - 1)^2) / 2 = (0.25 + 1) / 2 = 0.625
    # fake -> 0: (1^2 + 0^2 + 3^2) / 3 = 10 / 3;  halved sum: 0.5 * (0.625 + 3.3333) = 1.9791667
    real, fake = torch.tensor([0.5, 2.0]), torch.tensor([1.0, 0.0, 3.0])
    assert least_squares_discriminator_loss(real, fake).item() == pytest.approx(1.9791667, abs=1e-6)
    assert least_squares_discriminator_loss(torch.ones(4), torch.zeros(4)).item() == 0.0  # a perfect D


def test_least_squares_generator_loss_and_its_gradient_by_hand():
    # ((0 - 1)^2 + (3 - 1)^2) / 2 = 2.5; d/ds = 2 (s - 1) / 2 = (-1, 2)
    scores = torch.tensor([0.0, 3.0], requires_grad=True)
    loss = least_squares_generator_loss(scores)
    loss.backward()
    assert loss.item() == pytest.approx(2.5)
    assert scores.grad.tolist() == pytest.approx([-1.0, 2.0])


def test_patch_score_maps_average_over_every_patch():
    # a 1x1x2x2 map: ((1-1)^2 + (0-1)^2 + (2-1)^2 + (3-1)^2) / 4 = 6 / 4
    assert least_squares_generator_loss(torch.tensor([[[[1.0, 0.0], [2.0, 3.0]]]])).item() == pytest.approx(1.5)


def test_reconstruction_distances_by_hand():
    x, y = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 4.0, 3.0])
    assert absolute_error(x, y).item() == pytest.approx(1.0)  # (1 + 2 + 0) / 3
    assert squared_error(x, y).item() == pytest.approx(5 / 3)  # (1 + 4 + 0) / 3
