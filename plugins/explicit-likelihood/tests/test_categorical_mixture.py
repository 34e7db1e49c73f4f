"""Categorical and Bernoulli mixtures: log_prob against a hand computation, MAP EM's pseudo-counts against a
hand count, a log posterior that never decreases on digits, and clear errors for values off the levels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

import genzoo
from genzoo.data import load_dataset
from genzoo.distributions import from_levels
from genzoo.errors import CapabilityError, ConfigError
from genzoo.training import train

TINY = {"shape": (2,), "kind": "discrete", "dtype": "int64", "value_range": (0, 2), "levels": 3}


def test_log_prob_matches_a_hand_computation():
    model = genzoo.create("catmix", data=TINY, components=2)
    theta = [[[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]], [[0.2, 0.2, 0.6], [0.3, 0.4, 0.3]]]  # (K, D, levels)
    model.log_probs.copy_(torch.tensor(theta).log())
    model.log_weights.copy_(torch.tensor([0.25, 0.75]).log())
    x = torch.tensor([[0, 2], [2, 1], [1, 0]])
    by_hand = [math.log(0.25 * theta[0][0][a] * theta[0][1][b] + 0.75 * theta[1][0][a] * theta[1][1][b])
               for a, b in x.tolist()]
    assert model.log_prob(x).tolist() == pytest.approx(by_hand, rel=1e-6)


def test_one_component_map_fit_is_the_smoothed_histogram():
    """K = 1: theta_d[l] = (count + a) / (n + levels a), so a level never seen keeps a / (n + 3 a)."""
    x = torch.tensor([[0, 1], [0, 1], [1, 1], [0, 0]])  # level 2 never appears
    model = genzoo.create("catmix", data=TINY, components=1, pseudo_count=0.5)
    model.fit_mixture(x, iterations=3, tolerance=0.0, log=lambda i, v: None)
    n, a = 4, 0.5
    first = [(3 + a) / (n + 3 * a), (1 + a) / (n + 3 * a), a / (n + 3 * a)]
    second = [(1 + a) / (n + 3 * a), (3 + a) / (n + 3 * a), a / (n + 3 * a)]
    assert model.log_probs.exp()[0].tolist() == [pytest.approx(first), pytest.approx(second)]
    unseen = torch.tensor([[2, 2]])
    assert model.log_prob(unseen).item() == pytest.approx(math.log(first[2] * second[2]), rel=1e-6)


def test_map_em_log_posterior_never_decreases_on_digits(monotone_fit):
    digits = load_dataset("digits", "train", optional={"view": "levels"})
    x = digits.tensors()[0]
    model = genzoo.create("catmix", data=digits.data_spec, components=10)
    monotone_fit(model, x, "log_posterior", iterations=25, moving=3)
    bits_per_dim = -float(model.log_prob(x).mean()) / (64 * math.log(2))
    assert bits_per_dim < 2.2  # training data; the independent-pixel model (K = 1) is about 2.4 on test


def test_bernoulli_mixture_fits_binary_images_and_trains_through_genzoo(tmp_path):
    result = train("bernoulli-mixture", data="digits", out=tmp_path / "run", data_options={"view": "binarized"},
                   model={"components": 5}, step={"max_iterations": 10}, train={"sample_every": None}, progress=False)
    assert result.summary.startswith("fitted by EM in ")
    records = [json.loads(line) for line in (tmp_path / "run" / "train" / "metrics.jsonl").read_text().splitlines()]
    assert min(np.diff([r["log_posterior"] for r in records])) > -1e-6
    model = genzoo.load(tmp_path / "run")
    samples = model.sample(16, generator=torch.Generator().manual_seed(0))
    assert samples.dtype == torch.float32 and set(samples.unique().tolist()) <= {0.0, 1.0}
    test = load_dataset("digits", "test", optional={"view": "binarized"}).tensors()[0]
    assert torch.isfinite(model.log_prob(test)).all()


def test_values_off_the_levels_are_a_clear_error():
    model = genzoo.create("catmix", data=TINY)
    with pytest.raises(CapabilityError, match="models 3 levels in \\[0, 2\\]"):
        model.log_prob(torch.tensor([[0, 3]]))
    binary = genzoo.create("bernoulli-mixture", data={"shape": (2,), "kind": "binary", "levels": 2})
    with pytest.raises(CapabilityError, match="models 2 levels in \\[0, 1\\]"):
        binary.log_prob(torch.tensor([[0.0, 0.5]]))


@pytest.mark.parametrize("value_range", [(0.0, 1.0), (-1.0, 1.0)])
def test_256_float_levels_from_from_levels_are_accepted(value_range):
    """k / 255 is not exact in binary: from_levels' own float32 output must still read as levels 0..255,
    while a value half-way between two levels is still refused."""
    data = {"shape": (1,), "kind": "discrete", "value_range": value_range, "levels": 256}
    model = genzoo.create("catmix", data=data, components=1)
    levels = from_levels(torch.arange(256), 256, value_range).reshape(256, 1)
    assert model.indices(levels).flatten().tolist() == list(range(256))
    assert model.log_prob(levels).tolist() == pytest.approx([-math.log(256)] * 256)  # unfitted: uniform
    spacing = (value_range[1] - value_range[0]) / 255
    with pytest.raises(CapabilityError, match="models 256 levels"):
        model.log_prob(levels[:1] + spacing / 2)


def test_continuous_data_and_too_many_components_are_refused():
    with pytest.raises(ConfigError, match="categorical mixture models discrete data"):
        genzoo.create("catmix", data={"shape": (2,)})
    with pytest.raises(ConfigError, match="cannot fit 5 mixture components to 4 examples"):
        genzoo.create("catmix", data=TINY, components=5).fit_mixture(
            torch.zeros(4, 2, dtype=torch.long), iterations=2, tolerance=0.0, log=lambda i, v: None)
