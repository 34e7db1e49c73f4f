"""DTN's losses against numbers worked out by hand."""

import math

import pytest
import torch

from genzoo_adversarial.dtn_losses import (f_constancy_loss, target_identity_loss, three_way_discriminator_loss,
                                           three_way_generator_loss, total_variation)

LN2, LN3 = math.log(2), math.log(3)


def test_three_way_discriminator_loss_by_hand():
    zeros = torch.zeros(2, 3)
    assert three_way_discriminator_loss(zeros, zeros, zeros).item() == pytest.approx(3 * LN3)  # ln 3 per kind
    # each row's own class: from-source logit ln 2 -> p = 2/4; from-target ln 3 -> 3/5; real ln 4 -> 4/6
    loss = three_way_discriminator_loss(torch.tensor([[LN2, 0.0, 0.0]]), torch.tensor([[0.0, LN3, 0.0]]),
                                        torch.tensor([[0.0, 0.0, math.log(4)]]))
    assert loss.item() == pytest.approx(math.log(2) + math.log(5 / 3) + math.log(3 / 2))  # = ln 5


def test_three_way_generator_loss_wants_both_kinds_read_as_real():
    # class 2 (real): p = 1/4 for the first row, 3/5 for the second
    loss = three_way_generator_loss(torch.tensor([[LN2, 0.0, 0.0]]), torch.tensor([[0.0, 0.0, LN3]]))
    assert loss.item() == pytest.approx(math.log(4) + math.log(5 / 3))


def test_f_constancy_is_the_mean_squared_feature_difference_and_leaves_f_x_fixed():
    features = torch.tensor([[1.0, 2.0], [0.0, 0.0]], requires_grad=True)
    translated = torch.tensor([[1.0, 4.0], [3.0, 0.0]], requires_grad=True)
    loss = f_constancy_loss(features, translated)
    assert loss.item() == pytest.approx((0 + 4 + 9 + 0) / 4)
    loss.backward()
    assert features.grad is None
    assert torch.allclose(translated.grad, torch.tensor([[0.0, 1.0], [1.5, 0.0]]))  # 2 (f' - f) / 4


def test_target_identity_loss_is_the_pixel_mse():
    x = torch.tensor([[[[0.0, 1.0], [1.0, 1.0]]]])
    assert target_identity_loss(x, torch.zeros_like(x)).item() == pytest.approx(0.75)


def test_total_variation_by_hand():
    x = torch.tensor([[[[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [2.0, 0.0, 0.0]]]])
    # positions with a right and a lower neighbour: (0,0): 1 right, 0 down -> 1; (0,1): -1, -1 -> sqrt 2;
    # (1,0): 0, 2 -> 2; (1,1): 0, 0 -> sqrt(eps)
    assert total_variation(x).item() == pytest.approx((1 + math.sqrt(2) + 2 + 1e-4) / 4, rel=1e-6)
    assert total_variation(x, exponent=2).item() == pytest.approx((1 + 2 + 4) / 4, rel=1e-6)
    flat = torch.zeros(1, 1, 3, 3, requires_grad=True)
    total_variation(flat).backward()
    assert torch.isfinite(flat.grad).all()
