"""Latent diffusion: the autoencoder comes from the registry by name and stays out of the checkpoint."""

import genzoo
import pytest
import torch
from genzoo.errors import GenzooError


@pytest.fixture(scope="module")
def ldm():
    """Over the VQ-VAE, whose codebook makes the standardisation checkable from the weights alone."""
    return genzoo.create("ldm", **genzoo.get_registry().architecture("ldm").tiny_config, autoencoder="vqvae-mnist")


def test_the_default_autoencoder_is_the_kl_one():
    model = genzoo.create("ldm", **genzoo.get_registry().architecture("ldm").tiny_config)
    assert model.config.autoencoder == "kl-autoencoder-mnist" and model.diffusion_shape == (4, 7, 7)


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
    tiny = genzoo.get_registry().architecture("ldm").tiny_config
    model = genzoo.create("ldm", **tiny, autoencoder="vqvae-mnist").double()
    assert next(model.autoencoder.parameters()).dtype == torch.float64


@pytest.mark.parametrize(("autoencoder", "message"), [("vae-digits", "needs an autoencoder with"),
                                                      ("no-such-model", "no-such-model")])
def test_unusable_autoencoders_are_clear_errors(autoencoder, message):
    with pytest.raises(GenzooError, match=message):
        genzoo.create("ldm", autoencoder=autoencoder, channels=(8,), blocks_per_level=1)


@pytest.fixture(scope="module")
def kl_autoencoder_folder(tmp_path_factory):
    """An untrained KL autoencoder on 28x28 grey images with made-up latent statistics, saved as a checkpoint."""
    torch.manual_seed(0)
    autoencoder = genzoo.create("kl-autoencoder", channels=4, latent_channels=3)
    autoencoder.latent_mean.copy_(torch.tensor([0.5, -1.0, 2.0]))
    autoencoder.latent_std.copy_(torch.tensor([2.0, 0.5, 1.0]))
    return genzoo.save_pretrained(autoencoder, tmp_path_factory.mktemp("kl") / "kl-autoencoder")


def test_a_kl_autoencoder_is_standardised_by_its_latent_statistics(kl_autoencoder_folder):
    ldm = genzoo.create("ldm", autoencoder=str(kl_autoencoder_folder), channels=(8,), blocks_per_level=1,
                        timesteps=20)
    assert ldm.diffusion_shape == (3, 7, 7)
    images = torch.rand(5, 1, 28, 28)
    latents = ldm.autoencoder.encode_latents(images)
    expected = (latents - torch.tensor([0.5, -1.0, 2.0])[:, None, None]) / torch.tensor([2.0, 0.5, 1.0])[:, None, None]
    assert torch.allclose(ldm.to_diffusion_space(images), expected, atol=1e-6)
    # continuous latents: decoding is the autoencoder's own decoder, with no quantiser in between
    assert torch.allclose(ldm.from_diffusion_space(ldm.to_diffusion_space(images)),
                          ldm.autoencoder.decode_latents(latents), atol=1e-5)


def test_conditional_latent_diffusion_guides_with_labels(kl_autoencoder_folder):
    # 16 channels in GroupNorm's 8 groups: with one channel per group the norm would erase the label's shift
    ldm = genzoo.create("ldm-cond", autoencoder=str(kl_autoencoder_folder), channels=(16,), blocks_per_level=1,
                        timesteps=20).eval()
    assert ldm.conditional
    with torch.no_grad():  # a fresh UNet's zero output layer would make every prediction, and guidance, vanish
        for parameter in ldm.parameters():
            parameter.normal_(0.0, 0.1)
    labels = torch.tensor([0, 3, 9])
    draw = lambda scale: ldm.sample(3, condition=labels, sampler="ddim", steps=4, guidance_scale=scale,  # noqa: E731
                                    generator=torch.Generator().manual_seed(0), progress=False)
    guided, plain = draw(2.0), draw(1.0)
    assert guided.shape == (3, 1, 28, 28) and not torch.equal(guided, plain)
