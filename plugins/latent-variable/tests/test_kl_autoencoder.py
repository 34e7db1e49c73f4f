"""The KL autoencoder: its KL term by hand, its latent statistics, its decode paths and a short training."""

from __future__ import annotations

import pytest
import torch

import genzoo
from genzoo.errors import ConfigError
from genzoo.plugin import Batch
from genzoo.training import train

from genzoo_latent_variable.kl_autoencoder import KLAutoencoderStep

DIGITS = {"shape": (1, 8, 8), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 17}
TINY = {"channels": 8, "latent_channels": 2, "downsample": 1}


def tiny(**overrides):
    torch.manual_seed(0)
    return genzoo.create("kl-autoencoder", data=DIGITS, **(TINY | overrides))


class ZeroImages(torch.nn.Module):
    def forward(self, z):
        return torch.zeros(len(z), 1, 8, 8)


def test_the_loss_is_mse_plus_the_weighted_mean_kl(monkeypatch):
    """A posterior pinned at mean 1, log var 0 (KL 0.5 per element) and a decoder that returns zeros: the loss is
    E[x^2] + kl_weight * 0.5."""
    model = tiny(kl_weight=0.1)
    x = torch.rand(4, 1, 8, 8)
    monkeypatch.setattr(model, "posterior", lambda x: (torch.ones(4, 2, 4, 4), torch.zeros(4, 2, 4, 4)))
    model.decoder = ZeroImages()
    terms = KLAutoencoderStep().loss(model, Batch({"x": x}), "model", {})
    assert terms["kl"].item() == pytest.approx(0.5)
    assert terms["loss"].item() == pytest.approx(x.pow(2).mean().item() + 0.1 * 0.5, rel=1e-6)


def test_the_l1_loss_is_the_mean_absolute_error_plus_the_weighted_mean_kl(monkeypatch):
    """As above with reconstruction_loss="l1": the decoder's zeros are off by |x| per pixel."""
    model = tiny(kl_weight=0.1, reconstruction_loss="l1")
    x = torch.rand(4, 1, 8, 8) - 0.5
    monkeypatch.setattr(model, "posterior", lambda x: (torch.ones(4, 2, 4, 4), torch.zeros(4, 2, 4, 4)))
    model.decoder = ZeroImages()
    terms = KLAutoencoderStep().loss(model, Batch({"x": x}), "model", {})
    assert terms["recon"].item() == pytest.approx(x.abs().mean().item(), rel=1e-6)
    assert terms["loss"].item() == pytest.approx(x.abs().mean().item() + 0.1 * 0.5, rel=1e-6)


def test_training_lowers_the_reconstruction_error_and_measures_the_latent_statistics(tmp_path):
    from genzoo.data import load_dataset

    config = {"data": DIGITS | {"kind": "continuous"}, **TINY}
    train("kl-autoencoder", data="digits", out=tmp_path, model=config,
          train={"steps": 150, "batch_size": 64, "lr": 3e-3, "log_every": 50}, progress=False)
    x = load_dataset("digits", "train", view="discrete").tensors()[0]
    torch.manual_seed(0)
    untrained = genzoo.create("kl-autoencoder", **config).eval()
    trained = genzoo.load(tmp_path)
    with torch.no_grad():
        latents = trained.encode_latents(x)
        before = (untrained.decode(untrained.encode(x)) - x).pow(2).mean().item()
        after = (trained.decode(latents) - x).pow(2).mean().item()
    mean, std = trained.latent_statistics()
    assert torch.allclose(mean, latents.mean(dim=(0, 2, 3)), atol=1e-5)
    assert torch.allclose(std, latents.std(dim=(0, 2, 3)), atol=1e-5)
    assert after < 0.3 * before


def test_encoding_is_deterministic_and_decoding_matches_the_data_spec():
    model = tiny().eval()
    x = torch.rand(3, 1, 8, 8)
    assert torch.equal(model.encode(x), model.encode(x))
    assert model.encode(x).shape == (3, *model.latent_shape) == (3, 2, 4, 4)
    images = model.decode(model.encode(x))
    assert images.min() >= 0 and images.max() <= 1
    assert torch.allclose(images * 16, (images * 16).round(), atol=1e-5)  # on the 17 levels


def test_a_bad_image_shape_is_a_clear_error():
    with pytest.raises(ConfigError, match="divisible by 16"):
        genzoo.create("kl-autoencoder", data=DIGITS, downsample=4, channels=4)


def test_decode_output_rounds_samples_to_the_levels_and_keeps_the_mean():
    model = tiny().eval()
    z = model.encode(torch.rand(2, 1, 8, 8))
    mean, sample = model.decode_output(z, output="mean"), model.decode_output(z)
    assert torch.equal(mean, model.decode_latents(z))
    assert torch.allclose(sample, (mean * 16).round() / 16)
