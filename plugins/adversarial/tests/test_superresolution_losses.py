"""SRGAN's content losses against hand computations, and the classifier feature maps the perceptual loss reads."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import genzoo
from genzoo.plugin import ConfigError

from genzoo_adversarial.superresolution_losses import ClassifierFeatureMaps, perceptual_loss, pixel_loss

pytest.importorskip("sklearn")


def test_pixel_loss_is_the_mean_absolute_error():
    fake = torch.tensor([[0.0, 0.5], [1.0, 0.25]])
    real = torch.tensor([[0.5, 0.5], [0.0, 0.0]])
    assert pixel_loss(fake, real).item() == pytest.approx((0.5 + 0 + 1 + 0.25) / 4)


def test_perceptual_loss_is_the_feature_mse_with_a_fixed_target():
    """features(v) = 2v: ((2*1 - 2*0)^2 + (2*3 - 2*1)^2) / 2 = (4 + 16) / 2 = 10; d/dfake = 2 * 2 * (2f - 2r) / 2."""
    fake = torch.tensor([1.0, 3.0], requires_grad=True)
    real = torch.tensor([0.0, 1.0], requires_grad=True)
    loss = perceptual_loss(lambda v: 2 * v, fake, real)
    assert loss.item() == pytest.approx(10.0)
    loss.backward()
    assert fake.grad.tolist() == pytest.approx([4.0, 8.0]) and real.grad is None


def test_feature_maps_are_the_classifier_body_before_its_last_pooling():
    classifier = genzoo.load("classifier-digits")
    features = ClassifierFeatureMaps(classifier)
    x = torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    body = classifier.body
    expected = body[4](body[3](body[2](body[1](body[0](x * 2 - 1)))))  # conv relu pool conv relu, on [-1, 1]
    assert torch.allclose(features(x), expected) and features(x).shape == (3, 64, 4, 4)
    assert features.image_shape == (1, 8, 8) and not any(p.requires_grad for p in features.parameters())
    features.train()
    assert not features.training


def test_feature_maps_need_a_classifier_with_pooling():
    model = genzoo.create("dcgan", channels=(4, 8), latent_dim=3)
    model.body = nn.Sequential(nn.Linear(2, 2))
    with pytest.raises(ConfigError, match="has no convolutional body with max-pooling"):
        ClassifierFeatureMaps(model)
