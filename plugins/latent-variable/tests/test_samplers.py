"""The family's samplers on a trained checkpoint: seeded, valid for the DataSpec, options checked."""

import pytest
import torch

import genzoo
from genzoo.errors import CapabilityError, ConfigError, GenzooError
from genzoo.testing import check_samples_match_spec


def _seeded(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("sampler", ["prior", "latent-gmm", "ancestral"])
def test_generative_samplers_are_seeded_and_valid(vae_digits, sampler):
    model = genzoo.load(vae_digits)
    first = model.sample(7, sampler=sampler, generator=_seeded())
    check_samples_match_spec(first, model.data_spec, 7)
    assert torch.equal(first, model.sample(7, sampler=sampler, generator=_seeded()))


def test_mean_output_is_the_decoder_mean(vae_digits):
    model = genzoo.load(vae_digits)
    means = model.sample(5, sampler="latent-gmm", output="mean", generator=_seeded())
    z = model.latent_mixture.sample(5, _seeded())
    assert torch.allclose(means, model.decode(z))
    assert ((means > 0) & (means < 1)).any()  # probabilities, not binary draws


def test_reconstruction_draws_dataset_examples(vae_digits):
    model = genzoo.load(vae_digits)
    means = model.sample(6, sampler="reconstruction", data="digits", output="mean", generator=_seeded(3))
    assert torch.equal(means, model.sample(6, sampler="reconstruction", data="digits", output="mean", generator=_seeded(3)))
    check_samples_match_spec(model.sample(6, sampler="reconstruction", data="digits", generator=_seeded()), model.data_spec, 6)


def test_interpolation_runs_between_the_two_examples(vae_digits):
    from genzoo.data import load_dataset

    model = genzoo.load(vae_digits)
    frames = model.sample(5, sampler="interpolation", data="digits", start=2, end=9, method="linear", output="mean")
    x, _ = load_dataset("digits", "test", view="binarized").tensors()
    with torch.no_grad():
        ends = model.decode(model.encode(x[[2, 9]]))
    assert torch.allclose(frames[[0, -1]], ends, atol=1e-6)


def test_sampler_options_and_fit_are_checked(vae_digits):
    model = genzoo.load(vae_digits)
    with pytest.raises(ConfigError, match="output"):
        model.sample(2, sampler="prior", output="blurry")
    with pytest.raises(ConfigError, match="data"):
        model.sample(2, sampler="reconstruction")
    with pytest.raises(GenzooError, match="out of range"):
        model.sample(3, sampler="interpolation", data="digits", end=10_000)
    with pytest.raises(CapabilityError, match="gibbs"):
        model.sample(2, sampler="gibbs")


def test_conditional_samplers_follow_labels(cvae_digits):
    model = genzoo.load(cvae_digits)
    labels = torch.tensor([0, 1, 2, 3])
    a = model.sample(4, sampler="latent-gmm", condition=labels, output="mean", generator=_seeded())
    b = model.sample(4, sampler="latent-gmm", condition=labels.flip(0), output="mean", generator=_seeded())
    assert not torch.allclose(a, b)
    with pytest.raises(GenzooError, match="labels from the dataset"):
        model.sample(2, sampler="reconstruction", data="digits", condition=[1, 2])
    check_samples_match_spec(model.sample(3, sampler="reconstruction", data="digits"), model.data_spec, 3)


def test_interpolation_walks_vq_code_embeddings():
    from genzoo.data import load_dataset

    torch.manual_seed(0)
    digits = {"shape": (1, 8, 8), "kind": "discrete", "value_range": (0.0, 1.0), "levels": 17}
    model = genzoo.create("vqvae", channels=8, codebook_size=8, code_dim=4, downsample=1, data=digits)
    frames = model.sample(5, sampler="interpolation", data="digits", start=0, end=3, method="slerp")
    check_samples_match_spec(frames, model.data_spec, 5)
    x, _ = load_dataset("digits", "test", view="discrete").tensors()
    with torch.no_grad():
        ends = model.decode_output(model.encode(x[[0, 3]]))
    assert torch.equal(frames[[0, -1]], ends)
