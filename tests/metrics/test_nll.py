"""NLL against known answers: the true distribution scores the ideal; bits/dim conventions."""

import math

import pytest
import torch

import genzoo
from genzoo.dataspec import DataSpec
from genzoo.errors import CapabilityError, ConfigError
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.nll import bits_per_dim


@pytest.mark.parametrize(("toy", "ideal"), [("8gaussians", 2.84), ("checkerboard", math.log(32))])
def test_true_distribution_scores_the_ideal(truth_registry, toy, ideal):
    model = genzoo.create("toy-truth", dataset=toy)
    results = {r.name: r for r in evaluate(model, "nll", EvalRequest(data=toy, command="cmd"))}
    assert results["nll"].value == pytest.approx(results["nll-ideal"].value, abs=1e-6)
    assert results["nll"].value == pytest.approx(ideal, abs=0.03)
    assert "exact" in results["nll"].notes and results["nll"].command == "cmd"
    assert "bits/dim" not in results  # unquantised 2D data: nats only


def test_wrong_distribution_scores_worse_than_the_ideal(truth_registry):
    model = genzoo.create("toy-truth", dataset="25gaussians")  # the grid's density scored on the ring
    results = {r.name: r.value for r in evaluate(model, "nll", EvalRequest(data="8gaussians", n=500))}
    assert results["nll"] > results["nll-ideal"] + 10


def test_models_without_likelihood_are_refused(truth_registry):
    with pytest.raises(CapabilityError, match="no likelihood"):
        evaluate(genzoo.create("one-mode"), "nll", EvalRequest(data="8gaussians"))


def test_bits_per_dim_conventions():
    dequantized = DataSpec(shape=(1, 28, 28), levels=256)
    dim = 28 * 28
    assert bits_per_dim(0.0, dequantized) == pytest.approx(8.0)  # a uniform density on [0,1) = 8 bits/pixel
    assert bits_per_dim(dim * math.log(2), dequantized) == pytest.approx(9.0)
    digits = DataSpec(shape=(1, 8, 8), levels=17)
    assert bits_per_dim(0.0, digits) == pytest.approx(math.log2(17))
    discrete = DataSpec(shape=(1, 8, 8), kind="discrete", levels=17)
    assert bits_per_dim(64 * math.log(17), discrete) == pytest.approx(math.log2(17))  # uniform over 17 levels
    assert bits_per_dim(1.0, DataSpec(shape=(4,), kind="binary", levels=2)) is None
    assert bits_per_dim(1.0, DataSpec(shape=(2,), value_range=None)) is None


def test_given_label_is_the_metrics_own_option_for_models_that_marginalise(truth_registry):
    """`given_label` never reaches log_prob; false is refused, in one line, for a model whose class does not
    say its log_prob(x) sums over the labels (the bayes-gaussian test covers one that does)."""
    model = genzoo.create("toy-truth", dataset="8gaussians")
    for value, message in (("false", "has no marginal log p"), ("maybe", "given_label='maybe': expected true or false")):
        with pytest.raises(ConfigError, match=message):
            evaluate(model, "nll", EvalRequest(data="8gaussians", likelihood_options={"given_label": value}))
    plain = {r.name: r.value for r in evaluate(model, "nll", EvalRequest(data="8gaussians", n=200))}
    given = {r.name: r.value for r in evaluate(model, "nll", EvalRequest(data="8gaussians", n=200,
                                                                         likelihood_options={"given_label": True}))}
    assert given == plain


def test_unlabelled_data_are_scored_without_labels(truth_registry, tmp_path):
    """npz data with no y arrays: an unconditional model is scored; nothing reaches for the missing labels."""
    import numpy as np

    points = torch.randn(64, 2, generator=torch.Generator().manual_seed(0)).numpy().astype(np.float32)
    np.savez(tmp_path / "points.npz", x=points, x_test=points[:32])
    model = genzoo.create("toy-truth", dataset="8gaussians")
    results = {r.name: r.value for r in evaluate(model, "nll", EvalRequest(data=f"npz:{tmp_path / 'points.npz'}"))}
    assert results["nll"] == pytest.approx(-model.log_prob(torch.from_numpy(points[:32])).double().mean().item())
