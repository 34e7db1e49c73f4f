"""The shared GAN networks and model base: shapes, packing, labels, output ranges, spectral norm, configs."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo import DataSpec
from genzoo.plugin import ConfigError

from genzoo_adversarial.base import AdversarialStep
from genzoo_adversarial.gan import GANConfig
from genzoo_adversarial.networks import build_discriminator, build_generator, pack_examples, with_label

MNIST = {"shape": (1, 28, 28), "value_range": (0.0, 1.0), "levels": 256}
STACKED = {"shape": (3, 28, 28), "value_range": (0.0, 1.0)}
SMALL_CONV = {"network": "conv", "channels": (4, 8), "latent_dim": 3}


def config(**values) -> GANConfig:
    return GANConfig.model_validate(values)


@pytest.mark.parametrize("data", [MNIST, STACKED])
def test_conv_networks_map_latents_to_images_and_images_to_one_logit(data):
    settings = config(data=data, **SMALL_CONV)
    images = build_generator(settings)(torch.randn(6, 3))
    assert images.shape == (6, *data["shape"])
    assert build_discriminator(settings)(images).shape == (6, 1)


def test_mlp_networks_with_labels_and_packs():
    settings = config(pack=3, data={"shape": (2,), "value_range": None, "num_classes": 4})
    label = torch.nn.functional.one_hot(torch.arange(6) % 4, 4).float()
    points = build_generator(settings, num_classes=4)(torch.randn(6, 2), label)
    assert points.shape == (6, 2)
    discriminator = build_discriminator(settings, out_features=5, num_classes=4)
    assert discriminator.net[0].in_features == 3 * (2 + 4)
    assert discriminator(points, label).shape == (2, 5)


def test_pack_examples_stacks_consecutive_examples():
    x = torch.arange(8.0).reshape(4, 2)
    assert torch.equal(pack_examples(x, 2), torch.tensor([[0.0, 1, 2, 3], [4, 5, 6, 7]]))
    images = torch.arange(4.0).reshape(4, 1, 1, 1)
    assert torch.equal(pack_examples(images, 2)[:, :, 0, 0], torch.tensor([[0.0, 1], [2, 3]]))
    with pytest.raises(ConfigError, match="does not divide into packs of 3"):
        pack_examples(x, 3)


def test_labels_become_constant_channels_of_an_image():
    images, label = torch.zeros(2, 1, 2, 2), torch.tensor([[0.0, 1.0], [1.0, 0.0]])
    joined = with_label(images, label)
    assert joined.shape == (2, 3, 2, 2)
    assert torch.equal(joined[:, 1:], label[:, :, None, None].expand(2, 2, 2, 2))


def test_spectral_norm_makes_every_discriminator_layer_1_lipschitz():
    torch.manual_seed(0)
    discriminator = build_discriminator(config(spectral_norm=True, discriminator_hidden=(16, 16)))
    for _ in range(30):  # each training-mode call runs one power iteration
        discriminator(torch.randn(8, 2))
    weights = [layer.weight for layer in discriminator.net if isinstance(layer, torch.nn.Linear)]
    assert len(weights) == 3
    for weight in weights:
        assert torch.linalg.matrix_norm(weight, ord=2).item() == pytest.approx(1.0, abs=1e-3)


def test_dcgan_initialisation():
    torch.manual_seed(0)
    generator = build_generator(config(data=MNIST, network="conv", channels=(64, 128), latent_dim=100))
    weights = torch.cat([layer.weight.flatten() for layer in generator.modules()
                         if isinstance(layer, torch.nn.ConvTranspose2d)])
    assert weights.std().item() == pytest.approx(0.02, rel=0.05)


@pytest.mark.parametrize("values, message", [
    ({"network": "conv"}, "needs image data"),
    ({"network": "conv", "data": {"shape": (1, 10, 10)}, "channels": (4, 8)}, "must divide by"),
    ({"data": {"shape": (4,), "kind": "discrete", "dtype": "int64", "value_range": (0, 16), "levels": 17}},
     "float view"),
    ({"pack": 0}, "greater than or equal to 1"),
])
def test_configs_that_cannot_work_are_refused(values, message):
    with pytest.raises(ValueError, match=message):
        config(**values)


def test_samples_land_in_the_value_range_and_on_the_levels():
    torch.manual_seed(0)
    model = genzoo.create("gan", data={"shape": (3,), "kind": "discrete", "value_range": (-1.0, 1.0), "levels": 5})
    z = model.sample_latent(200, torch.Generator().manual_seed(0)) * 50  # far into the sigmoid's tails
    fake = model.fake(z)
    assert fake.min() >= -1 and fake.max() <= 1
    values = model.generate_from_latent(z).unique()
    assert set(values.tolist()) <= {-1.0, -0.5, 0.0, 0.5, 1.0}


def test_unbounded_data_is_the_generator_output_itself():
    model = genzoo.create("gan")
    z = torch.randn(4, 2)
    assert torch.equal(model.fake(z), model.generator(z))


def test_the_step_updates_each_network_with_its_own_optimizer():
    model = genzoo.create("gan")
    step = AdversarialStep(n_critic=3)
    assert step.updates(0) == ("discriminator",) * 3 + ("generator",)
    for group in step.groups:
        assert {id(p) for p in step.parameters(model, group)} == {id(p) for p in getattr(model, group).parameters()}
    assert step.group_defaults["discriminator"]["ema"] is False
    assert step.group_defaults["generator"] == {"lr": 2e-4, "betas": (0.5, 0.999)}


def test_a_model_with_classes_but_no_conditional_capability_ignores_labels():
    model = genzoo.create("gan", data=DataSpec(shape=(2,), value_range=None, num_classes=3).model_dump())
    assert model.num_label_classes == 0 and model.label(None) is None
