"""log-mean-exp and the chunked importance-sampled estimate against sums by hand."""

import math

import pytest
import torch

from genzoo.distributions import importance_sampled_log_prob, log_mean_exp


def test_log_mean_exp_by_hand_and_far_below_underflow():
    assert log_mean_exp(torch.tensor([0.0, math.log(3.0)])).item() == pytest.approx(math.log(2.0))
    assert log_mean_exp(torch.tensor([[-1000.0, -1001.0], [-1000.0, -1001.0]]), dim=0).tolist() == [-1000.0, -1001.0]
    assert log_mean_exp(torch.tensor([[-1000.0, -1000.0 + math.log(3.0)]]), dim=1).item() == pytest.approx(-1000 + math.log(2.0))


def test_chunks_combine_to_the_mean_of_all_weights():
    log_w = torch.tensor([[0.0], [math.log(2.0)], [math.log(3.0)], [math.log(6.0)], [-800.0]])  # (k, batch)
    drawn = iter(log_w.split(2))
    estimate = importance_sampled_log_prob(lambda m: (next(drawn), torch.zeros(m, 1)), k=5, chunk=2)
    assert estimate.item() == pytest.approx(math.log((1 + 2 + 3 + 6) / 5))


def test_log_q_is_subtracted():
    estimate = importance_sampled_log_prob(lambda m: (torch.full((m, 2), -5000.0), torch.full((m, 2), -2.0)), k=10, chunk=4)
    assert estimate.tolist() == [-4998.0, -4998.0]


def test_exact_with_the_true_posterior_and_converges_with_the_prior():
    """z ~ N(0, 1), x | z ~ N(z, 1): p(x) = N(0, 2) and the posterior is N(x/2, 1/2)."""
    normal = torch.distributions.Normal
    x = torch.tensor([-2.0, 0.0, 0.5, 3.0], dtype=torch.float64)
    exact = normal(0.0, math.sqrt(2.0)).log_prob(x)
    generator = torch.Generator().manual_seed(0)

    def weights(q):
        def draw(m):
            z = q.mean + q.stddev * torch.randn(m, len(x), generator=generator, dtype=torch.float64)
            return normal(0.0, 1.0).log_prob(z) + normal(z, 1.0).log_prob(x), q.log_prob(z)
        return draw

    posterior = normal(x / 2, torch.full_like(x, math.sqrt(0.5)))
    assert torch.allclose(importance_sampled_log_prob(weights(posterior), k=7, chunk=3), exact)
    prior = normal(torch.zeros_like(x), torch.ones_like(x))
    estimate = importance_sampled_log_prob(weights(prior), k=20_000, chunk=1000)
    assert torch.allclose(estimate, exact, atol=0.02)
