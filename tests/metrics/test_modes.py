"""Mode coverage (VEEGAN protocol) against known answers."""

import pytest
import torch

import genzoo
from genzoo.errors import GenzooError
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.modes import mode_coverage


@pytest.mark.parametrize(("toy", "modes"), [("8gaussians", 8), ("25gaussians", 25)])
def test_true_distribution_captures_every_mode(truth_registry, toy, modes):
    results = {r.name: r for r in evaluate(genzoo.create("toy-truth", dataset=toy), "modes", EvalRequest(data=toy))}
    assert results["modes"].value == modes
    assert results["high-quality"].value == pytest.approx(0.9889, abs=0.01)  # P(chi2_2 <= 9) = 1 - exp(-4.5)
    assert "n=2500" in results["modes"].notes


def test_single_mode_sampler_captures_one_mode(truth_registry):
    results = {r.name: r.value for r in evaluate(genzoo.create("one-mode"), "modes", EvalRequest(data="8gaussians"))}
    assert results["modes"] == 1


def test_coverage_counts_only_high_quality_samples():
    modes = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = torch.tensor([[0.1, 0.0], [9.0, 0.0], [5.0, 5.0], [0.0, 10.2]])  # 2nd and 3rd are > 3 std away
    assert mode_coverage(samples, modes, std=0.1) == (2, 0.5)


def test_datasets_without_modes_are_refused(truth_registry):
    with pytest.raises(GenzooError, match="no modes"):
        evaluate(genzoo.create("toy-truth", dataset="moons"), "modes", EvalRequest(data="moons"))
