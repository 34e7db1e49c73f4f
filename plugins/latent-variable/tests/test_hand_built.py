"""A model built by hand from its class and config samples with no registry lookup of its architecture:
capabilities and the default sampler are declared on the class."""

import torch

from genzoo_latent_variable.vae import VAE, VAEConfig


def test_a_hand_built_vae_samples():
    model = VAE(VAEConfig(hidden=(16,), latent_dim=2, mixture_components=0))
    assert model._spec is None and model.name == "VAE" and model.default_sampler == "prior"
    samples = model.sample(4, generator=torch.Generator().manual_seed(0))
    assert model._spec is None  # sampling never looked the architecture up
    assert samples.shape == (4, 1, 28, 28) and set(samples.unique().tolist()) <= {0.0, 1.0}
    again = model.sample(4, generator=torch.Generator().manual_seed(0))
    assert torch.equal(samples, again)
