"""Latent diffusion: the autoencoder comes from the registry by name and stays out of the checkpoint."""

import genzoo
import pytest
import torch
from genzoo.errors import GenzooError


@pytest.fixture(scope="module")
def ldm():
    return genzoo.create("ldm", **genzoo.get_registry().architecture("ldm").tiny_config)


def test_autoencoder_is_loaded_by_name_and_not_saved(ldm):
    assert ldm.config.autoencoder == "vqvae-mnist"
    assert not any(key.startswith("autoencoder") for key in ldm.state_dict())
    assert not any(p is q for p in ldm.parameters() for q in ldm.autoencoder.parameters())
    assert ldm.diffusion_shape == tuple(ldm.autoencoder.latent_shape)


def test_latents_are_standardised_encoder_outputs(ldm):
    codes = torch.randint(0, ldm.autoencoder.config.codebook_size, (64, 7, 7))
    images = ldm.autoencoder.decode(codes)
    latents = ldm.to_diffusion_space(images)
    assert latents.shape == (64, *ldm.diffusion_shape)
    assert latents.std().item() == pytest.approx(1.0, abs=0.35)
    # decoding snaps the continuous latents onto the codebook: the VQ-VAE's own encode -> decode round trip
    assert torch.allclose(ldm.from_diffusion_space(latents), ldm.autoencoder.decode(ldm.autoencoder.encode(images)))


def test_training_leaves_the_autoencoder_frozen(ldm):
    ldm.train()
    assert not ldm.autoencoder.training
    assert not any(p.requires_grad for p in ldm.autoencoder.parameters())


def test_moving_the_model_moves_the_autoencoder():
    model = genzoo.create("ldm", **genzoo.get_registry().architecture("ldm").tiny_config).double()
    assert next(model.autoencoder.parameters()).dtype == torch.float64


@pytest.mark.parametrize(("autoencoder", "message"), [("vae-digits", "needs a VQ autoencoder"),
                                                      ("no-such-model", "no-such-model")])
def test_unusable_autoencoders_are_clear_errors(autoencoder, message):
    with pytest.raises(GenzooError, match=message):
        genzoo.create("ldm", autoencoder=autoencoder, channels=(8,), blocks_per_level=1)
