"""Classifier accuracy on real data, and the share of conditional samples that land in their class."""

from __future__ import annotations

import torch

from genzoo.capabilities import Capability
from genzoo.errors import CapabilityError, GenzooError
from genzoo.metrics.base import EvalRequest, batched, card_sampling_note, draw_samples, require_model
from genzoo.metrics.features import classifier_input, feature_classifier_name, load_feature_classifier

DEFAULT_SAMPLES = 1000


def accuracy(classifier, x: torch.Tensor, y: torch.Tensor, batch_size: int = 500) -> float:
    logits = batched(classifier.classify, classifier_input(classifier, x).to(classifier.device), batch_size, "classify")
    return float((logits.argmax(1).cpu() == y).double().mean())


def accuracy_metric(model, request: EvalRequest):
    """Test accuracy of a classifier (a model with `classify`), on the plain and binarized views."""
    model = require_model(model, "accuracy")
    if not callable(getattr(model, "classify", None)):
        raise CapabilityError(f"{model.name!r} is not a classifier (it has no classify())")
    results = []
    for view in ("continuous", "binarized"):
        x, y = request.dataset("test", view).tensors()
        if request.n is not None:
            x, y = x[: request.n], y[: request.n]
        name = "accuracy" if view == "continuous" else "accuracy-binarized"
        results.append(request.result(name, accuracy(model, x, y, request.batch_size), notes=f"{view} view, n={len(x)}"))
    return results


def conditional_accuracy_metric(model, request: EvalRequest):
    """Share of samples conditioned on class c that the dataset's classifier assigns to c."""
    model = require_model(model, "cond-acc")
    if Capability.CONDITIONAL not in model.capabilities:
        raise CapabilityError(f"{model.name!r} is not conditional")
    classes = model.data_spec.num_classes
    if not classes:
        raise GenzooError(f"{model.name!r} has no num_classes in its DataSpec")
    n = request.n or DEFAULT_SAMPLES
    labels = model.balanced_condition(n)
    if labels is None:  # a conditional architecture built without classes (e.g. num_classes=None)
        raise CapabilityError(f"{model.name!r} is not conditional in this configuration: it takes no class labels")
    samples = draw_samples(model, request, n, condition=labels)
    classifier = load_feature_classifier(request.data, request.device)
    value = accuracy(classifier, samples, labels.cpu(), request.batch_size)
    notes = (f"n={n}, {n // classes}+ per class, classifier: {feature_classifier_name(request.data)}"
             f"{card_sampling_note(model, request)}")
    return [request.result("cond-acc", value, notes=notes)]
