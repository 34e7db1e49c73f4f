"""The latent Gaussian mixture: EM finds separated clusters and its density is a normalised mixture."""

import torch

from genzoo_latent_variable.mixture import GaussianMixture


def _two_clusters(n: int = 400) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(n, 2, generator=generator) * 0.3 + torch.tensor([4.0, 0.0])
    b = torch.randn(n, 2, generator=generator) * 0.5 + torch.tensor([-4.0, 2.0])
    return torch.cat([a, b])


def test_em_recovers_separated_clusters():
    mixture = GaussianMixture(2, 2)
    mixture.fit(_two_clusters())
    means = sorted(mixture.means.tolist())
    assert torch.allclose(torch.tensor(means), torch.tensor([[-4.0, 2.0], [4.0, 0.0]]), atol=0.1)
    assert torch.allclose(mixture.log_weights.exp(), torch.full((2,), 0.5), atol=0.02)


def test_log_prob_matches_torch_mixture():
    mixture = GaussianMixture(3, 2)
    mixture.fit(_two_clusters())
    reference = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(logits=mixture.log_weights),
        torch.distributions.MultivariateNormal(mixture.means, scale_tril=mixture.scale_tril),
    )
    z = torch.randn(10, 2) * 3
    assert torch.allclose(mixture.log_prob(z), reference.log_prob(z), atol=1e-4)


def test_unfitted_mixture_is_the_standard_normal_and_sampling_is_seeded():
    mixture = GaussianMixture(4, 3)
    z = torch.randn(5, 3)
    assert torch.allclose(mixture.log_prob(z), torch.distributions.Normal(0, 1).log_prob(z).sum(1), atol=1e-5)
    first = mixture.sample(6, torch.Generator().manual_seed(1))
    assert first.shape == (6, 3) and torch.equal(first, mixture.sample(6, torch.Generator().manual_seed(1)))
