"""The truncation sampler: the truncated normal it draws, the clamp variant, and its use on GANs."""

from __future__ import annotations

import math

import pytest
import torch

import genzoo
from genzoo.plugin import ConfigError

from genzoo_adversarial.samplers import truncated_normal


def test_truncated_normal_has_the_truncated_variance():
    """N(0, 1) restricted to [-1, 1]: variance 1 - 2 t phi(t) / (2 Phi(t) - 1) = 0.29112 at t = 1, mean 0."""
    z = truncated_normal((200_000,), 1.0, torch.Generator().manual_seed(0), torch.device("cpu"))
    assert z.abs().max() <= 1.0 and z.dtype == torch.float32
    phi, mass = math.exp(-0.5) / math.sqrt(2 * math.pi), math.erf(1 / math.sqrt(2))
    assert z.var().item() == pytest.approx(1 - 2 * phi / mass, abs=3e-3)
    assert abs(z.mean().item()) < 3e-3


def test_a_tiny_threshold_still_costs_one_draw():
    z = truncated_normal((1000,), 1e-3, torch.Generator().manual_seed(0), torch.device("cpu"))
    assert z.abs().max() <= 1e-3 and z.std() > 0


@pytest.fixture
def model():
    torch.manual_seed(0)
    return genzoo.create("gan", latent_dim=3, generator_hidden=(8,), discriminator_hidden=(8,))


def test_clamp_decodes_clipped_normal_latents(model):
    samples = model.sample(6, sampler="truncation", truncation=0.5, method="clamp",
                           generator=torch.Generator().manual_seed(4))
    z = torch.randn(6, 3, generator=torch.Generator().manual_seed(4)).clamp(-0.5, 0.5)
    model.eval()
    assert torch.allclose(samples, model.generate_from_latent(z))


def test_resample_decodes_truncated_latents_and_honours_the_seed(model):
    first, second = (model.sample(6, sampler="truncation", truncation=0.5, generator=torch.Generator().manual_seed(1))
                     for _ in range(2))
    assert torch.equal(first, second)
    z = truncated_normal((6, 3), 0.5, torch.Generator().manual_seed(1), torch.device("cpu"))
    model.eval()
    assert torch.allclose(first, model.generate_from_latent(z))


def test_truncation_narrows_the_samples(model):
    spread = {t: model.sample(2000, sampler="truncation", truncation=t, generator=torch.Generator().manual_seed(0))
              .std(dim=0).sum().item() for t in (0.1, 3.0)}
    assert spread[0.1] < spread[3.0]


@pytest.mark.parametrize("options", [{"truncation": 0}, {"truncation": 1, "method": "reject"}, {"temperature": 1}])
def test_bad_options_are_a_config_error(model, options):
    with pytest.raises(ConfigError, match="truncation"):
        model.sample(2, sampler="truncation", **options)


@pytest.mark.parametrize("architecture", ["gan", "dcgan", "wgan", "wgan-gp", "unrolled-gan", "pacgan"])
def test_every_unconditional_gan_offers_it(architecture):
    assert "truncation" in genzoo.get_registry().samplers_for(genzoo.get_registry().architecture(architecture))
