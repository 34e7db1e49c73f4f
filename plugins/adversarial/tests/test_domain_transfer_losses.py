"""PixelDTGAN's losses against hand computations (logits chosen so every sigmoid is 1/2 or 3/4)."""

from __future__ import annotations

import math

import pytest
import torch

from genzoo_adversarial.domain_transfer_losses import converter_loss, domain_discriminator_loss

LN3 = math.log(3.0)  # sigmoid(ln 3) = 3/4


def test_the_domain_discriminator_accepts_only_associated_pairs():
    """Associated logits (0, ln 3): -log(1/2), -log(3/4) -> mean (ln 2 + ln 4/3) / 2; unassociated 0: -log(1 - 1/2)
    = ln 2; converted ln 3: -log(1 - 3/4) = ln 4."""
    loss = domain_discriminator_loss(torch.tensor([0.0, LN3]), torch.tensor([0.0]), torch.tensor([LN3]))
    expected = (math.log(2) + math.log(4 / 3)) / 2 + math.log(2) + math.log(4)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    assert expected == pytest.approx(2.569856, abs=1e-6)


def test_the_converter_fools_both_discriminators_plus_a_weighted_l1():
    """D_R logit 0: -log(1/2) = ln 2; D_A logit ln 3: -log(3/4) = ln 4/3; |(0.5, 1) - (0, 0)| averages 0.75;
    a = 2, lambda = 10: 2 (ln 2 + ln 4/3) + 7.5."""
    output, target = torch.tensor([[0.5, 1.0]]), torch.zeros(1, 2)
    losses = converter_loss(torch.tensor([0.0]), torch.tensor([LN3]), output, target, adversarial_weight=2.0,
                            l1_weight=10.0)
    assert losses["real_fake"].item() == pytest.approx(math.log(2), rel=1e-6)
    assert losses["domain"].item() == pytest.approx(math.log(4 / 3), rel=1e-6)
    assert losses["l1"].item() == pytest.approx(0.75)
    assert losses["loss"].item() == pytest.approx(2 * math.log(8 / 3) + 7.5, rel=1e-6)


def test_without_the_adversarial_terms_the_discriminators_are_not_needed():
    losses = converter_loss(None, None, torch.tensor([[0.5, 1.0]]), torch.zeros(1, 2), adversarial_weight=0.0,
                            l1_weight=4.0)
    assert set(losses) == {"loss", "l1"} and losses["loss"].item() == pytest.approx(3.0)


def test_the_paper_objective_reports_l1_without_training_on_it():
    output = torch.tensor([[0.5, 1.0]], requires_grad=True)
    losses = converter_loss(torch.tensor([0.0]), torch.tensor([0.0]), output, torch.zeros(1, 2))
    assert losses["l1"].item() == pytest.approx(0.75)
    assert losses["loss"].item() == pytest.approx(2 * math.log(2), rel=1e-6)
    losses["loss"].backward()
    assert torch.equal(output.grad, torch.zeros(1, 2))  # the logits here do not depend on the output
