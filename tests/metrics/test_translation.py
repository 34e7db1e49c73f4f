"""translation-fid and class-kept, against translators whose right answers are known."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
import torch

import genzoo
from genzoo import plugins
from genzoo.data import load_dataset
from genzoo.errors import CapabilityError, GenzooError
from genzoo.metrics import evaluate
from genzoo.metrics.base import EvalRequest
from genzoo.metrics.conditional import accuracy
from genzoo.metrics.translation import translation_data

pytest.importorskip("sklearn")


@pytest.fixture
def translators(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fakes"))
    real = plugins._entry_points
    fake = EntryPoint(name="truth-translators", value="truth_translators", group="genzoo")
    monkeypatch.setattr(plugins, "_entry_points", lambda: [*real(), fake])
    genzoo.reset_registry()
    yield genzoo.get_registry()
    genzoo.reset_registry()


def _rows(images: torch.Tensor) -> set[tuple[float, ...]]:
    return {tuple(row.tolist()) for row in images.flatten(1)}


def _values(model, metric, data, **request):
    return {r.name: r.value for r in evaluate(model, metric, EvalRequest(data=data, **request))}


def test_a_perfect_paired_translator_scores_exactly_the_floor(translators):
    """Copying the source of digits-copy-pairs returns the inputs' own targets, which is what the floor compares."""
    results = _values(genzoo.create("copy-translator"), "translation-fid", "digits-copy-pairs", n=100)
    assert results["translation-fid"] == pytest.approx(results["translation-fid-floor"], abs=1e-9)
    assert 0 < results["translation-fid-floor"] < 50


def test_blank_outputs_are_far_from_the_floor(translators):
    results = _values(genzoo.create("copy-translator", mode="blank"), "translation-fid", "digits-copy-pairs", n=100)
    assert results["translation-fid"] > 10 * results["translation-fid-floor"]


def test_class_kept_of_a_copy_is_the_classifier_accuracy_on_the_picked_inputs(translators):
    model = genzoo.create("copy-translator")
    request = EvalRequest(data="digits-copy-pairs", n=120, seed=3)
    data = translation_data(model, request, "class-kept")
    expected = accuracy(genzoo.load("classifier-digits"), data.inputs, data.labels)
    [result] = evaluate(model, "class-kept", request)
    assert result.value == pytest.approx(expected) and expected > 0.9
    blank = evaluate(genzoo.create("copy-translator", mode="blank"), "class-kept", request)[0].value
    assert blank < 0.2  # one class for every output: about a tenth of the labels


def test_paired_inputs_and_both_real_sets_are_disjoint_draws_of_n(translators):
    model = genzoo.create("copy-translator")
    data = translation_data(model, EvalRequest(data="digits-copy-pairs", n=5000), "translation-fid")
    assert len(data.inputs) == len(data.reference) == len(data.real) == 180  # capped at half of 360 test digits
    assert torch.equal(data.inputs, data.reference)  # the copy pairs: each input's target is itself
    assert not _rows(data.reference) & _rows(data.real)  # the floor compares two different sets of real digits
    assert "n=180" in data.notes and "classifier-digits" in data.notes


def test_unpaired_streams_follow_the_model_directions(translators):
    request = EvalRequest(data="digits-two-streams", n=50)
    forward = translation_data(genzoo.create("copy-translator"), request, "class-kept")
    backward = translation_data(genzoo.create("copy-translator", source_stream="a", target_stream="b"), request,
                                "class-kept")
    a, b = (stream.tensors()[0] for stream in load_dataset("digits-two-streams", "test").streams.values())
    assert _rows(forward.inputs) <= _rows(b) and _rows(forward.real) <= _rows(a) and "stream b" in forward.notes
    assert _rows(backward.inputs) <= _rows(a) and _rows(backward.real) <= _rows(b)
    missing = genzoo.create("copy-translator", source_stream="c")
    with pytest.raises(GenzooError, match="streams"):
        translation_data(missing, request, "class-kept")


def test_non_translators_and_one_domain_datasets_are_refused(translators):
    with pytest.raises(CapabilityError, match="cannot translate"):
        evaluate(genzoo.load("classifier-digits"), "class-kept", EvalRequest(data="digits-copy-pairs"))
    with pytest.raises(GenzooError, match="neither pairs"):
        evaluate(genzoo.create("copy-translator"), "translation-fid", EvalRequest(data="digits"))
    with pytest.raises(GenzooError, match="needs a model"):
        evaluate(None, "class-kept", EvalRequest(data="digits-copy-pairs"))
