"""DCGAN: the paper's architecture choices, stacked-MNIST and packed variants, and a short run on 8x8 images."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import genzoo
from genzoo.training import train

from genzoo_adversarial.dcgan import DCGANConfig

SMALL = {"channels": (4, 8), "latent_dim": 5}


def test_defaults_follow_radford_et_al():
    config = DCGANConfig()
    assert (config.network, config.latent_dim, config.data.shape) == ("conv", 100, (1, 28, 28))
    torch.manual_seed(0)
    model = genzoo.create("dcgan")
    generator = [type(layer) for layer in model.generator.net]
    discriminator = [type(layer) for layer in model.discriminator.net]
    assert nn.Linear not in generator + discriminator and nn.MaxPool2d not in discriminator  # all-convolutional
    assert generator.count(nn.ReLU) == 2 and generator.count(nn.BatchNorm2d) == 2
    assert discriminator.count(nn.LeakyReLU) == 2 and discriminator[:2] == [nn.Conv2d, nn.LeakyReLU]  # no BN on input
    assert discriminator.count(nn.BatchNorm2d) == 1
    assert all(layer.negative_slope == 0.2 for layer in model.discriminator.net if isinstance(layer, nn.LeakyReLU))
    images = model.sample(3, generator=torch.Generator().manual_seed(0))
    assert images.shape == (3, 1, 28, 28) and images.min() >= 0 and images.max() <= 1


def test_stacked_mnist_with_a_packed_discriminator():
    model = genzoo.create("dcgan", data={"shape": (3, 28, 28), "value_range": (0.0, 1.0)}, pack=2, **SMALL)
    assert model.discriminator.net[0].in_channels == 6
    images = model.sample(4, generator=torch.Generator().manual_seed(0))
    assert images.shape == (4, 3, 28, 28)
    assert model.discriminate(images).shape == (2,)


def test_dcgan_is_convolutional_only():
    with pytest.raises(ValueError, match="'conv'"):
        DCGANConfig(network="mlp")


def test_a_short_run_on_8x8_images(tmp_path):
    images = torch.randint(256, (32, 1, 8, 8), generator=torch.Generator().manual_seed(0)).to(torch.uint8)
    np.savez(tmp_path / "images.npz", x=images.numpy())
    result = train("dcgan", data=f"npz:{tmp_path / 'images.npz'}", out=tmp_path / "run", model=SMALL,
                   train={"steps": 4, "batch_size": 16, "log_every": 2, "sample_every": None}, progress=False)
    assert {"discriminator/loss", "generator/loss"} <= set(result.metrics)
    model = genzoo.load(result.path)
    assert model.sample(2, generator=torch.Generator().manual_seed(0)).shape == (2, 1, 8, 8)
