"""Classifier accuracy and conditional accuracy, against known answers."""

import pytest

import genzoo
from genzoo.errors import CapabilityError
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest

pytest.importorskip("sklearn")


def test_published_digits_classifier_accuracy():
    results = {r.name: r.value for r in evaluate(genzoo.load("classifier-digits"), "accuracy", EvalRequest(data="digits"))}
    assert results["accuracy"] >= 0.97


def test_a_model_that_obeys_its_condition_scores_near_the_classifier(truth_registry):
    model = genzoo.create("digits-replay")
    [result] = evaluate(model, "cond-acc", EvalRequest(data="digits", n=300))
    assert result.name == "cond-acc" and result.value >= 0.95


def test_a_model_that_ignores_its_condition_scores_chance(truth_registry):
    model = genzoo.create("digits-replay", ignore_condition=True)
    [result] = evaluate(model, "cond-acc", EvalRequest(data="digits", n=500))
    assert 0.03 < result.value < 0.2


def test_unconditional_models_and_non_classifiers_are_refused(truth_registry):
    with pytest.raises(CapabilityError, match="not conditional"):
        evaluate(genzoo.create("one-mode"), "cond-acc", EvalRequest(data="digits"))
    with pytest.raises(CapabilityError, match="not a classifier"):
        evaluate(genzoo.create("one-mode"), "accuracy", EvalRequest(data="digits"))


def test_results_say_when_samples_came_from_the_card_sampling_defaults(truth_registry):
    from genzoo.metrics.base import card_sampling_note
    from genzoo.specs import SamplingDefaults

    model = genzoo.create("digits-replay")
    request = EvalRequest(data="digits")
    assert card_sampling_note(model, request) == ""
    model.sampling_defaults = SamplingDefaults(sampler="ancestral")
    assert card_sampling_note(model, request) == ", the card's sampler ancestral"
    notes = evaluate(model, "cond-acc", request.model_copy(update={"n": 20}))[0].notes
    assert notes.endswith(", the card's sampler ancestral")
