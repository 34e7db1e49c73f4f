"""Bernoulli and categorical heads against hand-computed probabilities; seeded, device-independent draws."""

import math

import pytest
import torch

from genzoo.distributions import bernoulli_log_prob, categorical_log_prob, sample_bernoulli, sample_categorical


def _seeded(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_bernoulli_log_prob_by_hand():
    logits = torch.tensor([0.0, math.log(3.0), -math.log(3.0), 100.0, 100.0])
    x = torch.tensor([1, 1, 0, 1, 0])  # integer data is accepted as it is
    expected = [math.log(0.5), math.log(0.75), math.log(0.75), 0.0, -100.0]
    assert bernoulli_log_prob(logits, x).tolist() == pytest.approx(expected, abs=1e-6)


def test_bernoulli_draws_compare_the_generators_uniforms_with_the_probabilities():
    probs = torch.tensor([[0.1, 0.5, 0.9]], dtype=torch.float64).expand(4, 3)
    u = torch.rand(4, 3, generator=_seeded(3), dtype=torch.float64)
    draws = sample_bernoulli(probs, _seeded(3))
    assert draws.dtype == torch.float64
    assert torch.equal(draws, (u < probs).double())


def test_categorical_log_prob_by_hand_along_any_axis():
    logits = torch.tensor([0.2, 0.3, 0.5]).log()
    assert categorical_log_prob(logits.expand(2, 3), torch.tensor([2, 0])).tolist() == pytest.approx(
        [math.log(0.5), math.log(0.2)], abs=1e-6)
    columns = logits.expand(2, 3).T  # classes on axis 0
    assert categorical_log_prob(columns, torch.tensor([1, 1]), dim=0).tolist() == pytest.approx([math.log(0.3)] * 2, abs=1e-6)


def test_categorical_draws_follow_the_probabilities_for_any_batch_shape():
    logits = torch.tensor([0.2, 0.3, 0.5]).log().expand(4, 5000, 3)
    draws = sample_categorical(logits, _seeded(1))
    assert draws.shape == (4, 5000) and draws.dtype == torch.int64
    frequencies = torch.bincount(draws.flatten(), minlength=3) / draws.numel()
    assert frequencies.tolist() == pytest.approx([0.2, 0.3, 0.5], abs=0.01)
    assert torch.equal(draws, sample_categorical(logits, _seeded(1)))


def test_categorical_draw_inverts_the_cdf_at_the_uniform():
    # cdf = (0.2, 0.5, 1.0): u in [0, 0.2) -> 0, [0.2, 0.5) -> 1, [0.5, 1) -> 2
    logits = torch.tensor([0.2, 0.3, 0.5]).log().expand(1000, 3)
    u = torch.rand(1000, 1, generator=_seeded(2))[:, 0]
    expected = (u >= 0.2).long() + (u >= 0.5).long()
    assert torch.equal(sample_categorical(logits, _seeded(2)), expected)
