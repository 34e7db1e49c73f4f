"""FID per class, against models whose right answers are known (tests/metrics/fakes/truth_models.py)."""

import pytest
import torch

import genzoo
from genzoo.errors import CapabilityError, GenzooError
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.fid import frechet_distance
from genzoo.metrics.fid_per_class import per_class_count, pick_per_class

pytest.importorskip("sklearn")


def by_name(results):
    return {r.name: r for r in results}


def test_per_class_count_is_the_smallest_class_capped_by_n():
    labels = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2])
    assert per_class_count(labels, 3, None) == 2
    assert per_class_count(torch.tensor([0] * 5 + [1] * 7), 2, 6) == 3
    with pytest.raises(GenzooError, match="at least 2 test examples per class, got 1; give --n of at least 4"):
        per_class_count(torch.tensor([0] * 5 + [1] * 7), 2, 3)


def test_pick_per_class_takes_count_members_of_each_class_without_repeats():
    x = torch.arange(10.0)
    labels = torch.tensor([0, 1] * 5)
    picks = pick_per_class(x, labels, 2, 3, torch.Generator().manual_seed(0))
    assert [len(p) for p in picks] == [3, 3]
    assert all(int(v) % 2 == 0 for v in picks[0]) and all(int(v) % 2 == 1 for v in picks[1])
    assert len(set(picks[0].tolist())) == 3
    with pytest.raises(GenzooError, match="class 0 has 5 examples in one split, fewer than the 6"):
        pick_per_class(x, labels, 2, 6, torch.Generator().manual_seed(0))


def test_a_model_that_obeys_its_condition_is_near_the_floor_and_the_mean_is_the_mean(truth_registry):
    results = by_name(evaluate(genzoo.create("digits-replay"), "fid-per-class", EvalRequest(data="digits")))
    per_class = [results[f"fid-class-{c}"].value for c in range(10)]
    floors = [results[f"fid-class-{c}-floor"].value for c in range(10)]
    assert results["fid-per-class"].value == pytest.approx(sum(per_class) / 10)
    assert results["fid-per-class-floor"].value == pytest.approx(sum(floors) / 10)
    # replayed train images vs train images of the same class: no further from them than the real test images
    assert results["fid-per-class"].value <= 1.5 * results["fid-per-class-floor"].value
    assert "n=29 per class" in results["fid-per-class"].notes  # digits' smallest test class (0) has 29 images
    assert results["fid-class-3-floor"].split == "test-vs-train" and results["fid-class-3"].split == "train"


def test_a_model_that_ignores_its_condition_is_far_from_every_class(truth_registry):
    obeys = by_name(evaluate(genzoo.create("digits-replay"), "fid-per-class", EvalRequest(data="digits", n=200)))
    ignores = by_name(evaluate(genzoo.create("digits-replay", ignore_condition=True), "fid-per-class",
                               EvalRequest(data="digits", n=200)))
    assert "n=20 per class" in ignores["fid-per-class"].notes
    assert ignores["fid-per-class"].value > 3 * obeys["fid-per-class"].value
    assert ignores["fid-per-class-floor"].value == obeys["fid-per-class-floor"].value  # the floor is the data's


def test_the_per_class_value_is_the_frechet_distance_of_that_class(truth_registry):
    """Class 0's value recomputed by hand from the same picks and samples."""
    from genzoo.data import load_dataset
    from genzoo.metrics.base import draw_samples
    from genzoo.metrics.features import classifier_features, load_feature_classifier

    model = genzoo.create("digits-replay")
    request = EvalRequest(data="digits", n=100, seed=3)
    results = by_name(evaluate(model, "fid-per-class", request))
    x_test, y_test = load_dataset("digits", "test").tensors()
    x_train, y_train = load_dataset("digits", "train").tensors()
    generator = torch.Generator().manual_seed(3)
    pick_per_class(x_test, y_test, 10, 10, generator)
    train_0 = pick_per_class(x_train, y_train, 10, 10, generator)[0]
    labels = model.balanced_condition(100)
    samples_0 = draw_samples(model, request, 100, condition=labels)[labels == 0]
    classifier = load_feature_classifier("digits")
    expected = frechet_distance(classifier_features(classifier, samples_0, 500), classifier_features(classifier, train_0, 500))
    assert results["fid-class-0"].value == pytest.approx(expected)


def test_unconditional_models_are_refused(truth_registry):
    with pytest.raises(CapabilityError, match="'one-mode' is not conditioned on class labels"):
        evaluate(genzoo.create("one-mode"), "fid-per-class", EvalRequest(data="digits"))
    with pytest.raises(GenzooError, match="needs a model"):
        evaluate(None, "fid-per-class", EvalRequest(data="digits"))
