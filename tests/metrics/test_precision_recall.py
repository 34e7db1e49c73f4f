"""Improved precision and recall: hand-built point sets with known answers, then the protocol on digits."""

import pytest
import torch

import genzoo
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.precision_recall import knn_radii, precision, recall

# Points on the x axis (embedded in 2D): real at 0, 1, 2, 3; samples at 0.5, 1.2, 10, 11.
REAL = torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
SAMPLES = torch.tensor([[0.5, 0.0], [1.2, 0.0], [10.0, 0.0], [11.0, 0.0]])


def test_radii_are_the_distance_to_the_kth_other_point():
    assert knn_radii(REAL, k=1).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert knn_radii(REAL, k=2).tolist() == [2.0, 1.0, 1.0, 2.0]
    assert knn_radii(SAMPLES, k=1).tolist() == pytest.approx([0.7, 0.7, 1.0, 1.0])


def test_precision_and_recall_by_hand():
    """k=1: real balls of radius 1 hold 0.5 and 1.2, not 10 or 11 (precision 2/4). Sample balls: radius 0.7
    around 0.5 and 1.2 hold real 0 and 1 (2 is 0.8 from 1.2), radius 1 around 10 and 11 hold none (recall 2/4).
    k=2: real radii (2, 1, 1, 2) still miss 10 and 11; sample radii (9.5, 8.8, 8.8, 9.8) hold every real point."""
    assert precision(SAMPLES, REAL, k=1) == 0.5
    assert recall(SAMPLES, REAL, k=1) == 0.5
    assert precision(SAMPLES, REAL, k=2) == 0.5
    assert recall(SAMPLES, REAL, k=2) == 1.0


def test_a_point_on_a_ball_boundary_counts_as_inside():
    assert precision(torch.tensor([[4.0, 0.0]]), REAL, k=1) == 1.0  # exactly radius 1 from real 3
    assert precision(torch.tensor([[4.001, 0.0]]), REAL, k=1) == 0.0


def test_too_few_points_for_k_is_a_clear_error():
    with pytest.raises(ValueError, match="k=3 need more than 3 points"):
        knn_radii(REAL[:3], k=3)


def test_chunked_distances_agree_with_the_whole_matrix(monkeypatch):
    from genzoo.metrics import precision_recall

    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(2, 70, 5, generator=g, dtype=torch.float64)
    whole = (precision(a, b + 0.5), recall(a, b + 0.5))
    monkeypatch.setattr(precision_recall, "CHUNK", 16)
    assert (precision(a, b + 0.5), recall(a, b + 0.5)) == whole
    assert 0 < whole[0] < 1 and 0 < whole[1] < 1


def test_replayed_digits_sit_near_the_floor_and_noise_has_no_precision(truth_registry):
    request = EvalRequest(data="digits", n=200)
    replay = {r.name: r for r in evaluate(genzoo.create("digits-replay"), "precision-recall", request)}
    assert list(replay) == ["precision", "precision-floor", "recall", "recall-floor"]
    assert replay["precision-floor"].split == "test-vs-train" and "k=3" in replay["precision"].notes
    for name in ("precision", "recall"):
        assert replay[name].value >= replay[f"{name}-floor"].value - 0.15 and replay[f"{name}-floor"].value > 0.5
    noise = genzoo.create("digits-replay")
    noise.generate = lambda n, *, condition=None, generator=None: torch.rand(n, 1, 8, 8, generator=generator)
    noisy = {r.name: r.value for r in evaluate(noise, "precision-recall", request)}
    assert noisy["precision"] < 0.1 and noisy["recall"] < 0.1
