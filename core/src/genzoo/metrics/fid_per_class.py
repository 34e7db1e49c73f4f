"""FID per class: does a class-conditional model draw each class like the real images of that class?

An overall FID can look good while classes are swapped or one class is poor; this measures each
class c on its own, with the protocol of `genzoo.metrics.features` applied within the class: the
model's samples conditioned on c are compared with real *train* images of class c, and the floor
is the same distance between real *test* images of class c and those train images. Every class
uses the same n (the smallest class's test count, or fewer with --n), so the per-class values and
their mean over classes are comparable (FID is biased at small n; the floor shows by how much).
"""

from __future__ import annotations

import torch

from genzoo.capabilities import Capability
from genzoo.data.base import view_for
from genzoo.errors import CapabilityError, GenzooError
from genzoo.metrics.base import EvalRequest, card_sampling_note, draw_samples, require_model
from genzoo.metrics.features import (
    classifier_features,
    feature_classifier_name,
    load_feature_classifier,
    require_same_shape,
)
from genzoo.metrics.fid import frechet_distance

NAME = "fid-per-class"


def per_class_count(test_labels: torch.Tensor, classes: int, n: int | None) -> int:
    """Examples per class: the smallest class's test count, capped at n // classes when n (the total) is given."""
    count = int(torch.bincount(test_labels, minlength=classes).min())
    if n is not None:
        count = min(count, n // classes)
    if count < 2:
        raise GenzooError(f"{NAME} needs at least 2 test examples per class, got {count}; "
                          f"give --n of at least {2 * classes} and data with every class in its test split")
    return count


def pick_per_class(x: torch.Tensor, labels: torch.Tensor, classes: int, count: int,
                   generator: torch.Generator) -> list[torch.Tensor]:
    """For each class, `count` of its examples chosen at random (without replacement)."""
    picks = []
    for c in range(classes):
        members = torch.nonzero(labels == c).flatten()
        if len(members) < count:
            raise GenzooError(f"{NAME}: class {c} has {len(members)} examples in one split, fewer than the {count} "
                              "compared per class; give a smaller --n")
        picks.append(x[members[torch.randperm(len(members), generator=generator)[:count]]])
    return picks


def fid_per_class_metric(model, request: EvalRequest):
    """Per-class FID and floor for every class, and their means over classes."""
    model = require_model(model, NAME)
    classes = model.data_spec.num_classes
    if Capability.CONDITIONAL not in model.capabilities or model.condition_spec is not None or not classes:
        raise CapabilityError(f"{model.name!r} is not conditioned on class labels; {NAME} needs a class-conditional model")
    view = view_for(model.data_spec, "samples")
    test, train = (request.dataset(split, view) for split in ("test", "train"))
    require_same_shape(model, request, test.data_spec)
    (x_test, y_test), (x_train, y_train) = test.tensors(), train.tensors()
    if y_test is None or y_train is None:
        raise GenzooError(f"dataset {request.data!r} has no labels; {NAME} needs labelled test and train splits")
    count = per_class_count(y_test, classes, request.n)
    generator = torch.Generator().manual_seed(request.seed)
    real_test = pick_per_class(x_test, y_test, classes, count, generator)
    real_train = pick_per_class(x_train, y_train, classes, count, generator)
    labels = model.balanced_condition(count * classes)
    samples = draw_samples(model, request, len(labels), condition=labels)

    classifier = load_feature_classifier(request.data, request.device)
    notes = f"n={count} per class, {view} view, features: {feature_classifier_name(request.data)} penultimate layer"
    values, floors, results = [], [], []
    for c in range(classes):
        train_features = classifier_features(classifier, real_train[c], request.batch_size)
        sampled = classifier_features(classifier, samples[labels.cpu() == c], request.batch_size)
        values.append(frechet_distance(sampled, train_features))
        floors.append(frechet_distance(classifier_features(classifier, real_test[c], request.batch_size), train_features))
        results += [
            request.result(f"fid-class-{c}", values[-1], split="train",
                           notes=f"samples of class {c} vs real train of class {c}, {notes}"),
            request.result(f"fid-class-{c}-floor", floors[-1], split="test-vs-train",
                           notes=f"real test vs real train of class {c}, {notes}"),
        ]
    mean_notes = f"mean over {classes} classes, {notes}"
    return [
        request.result(NAME, sum(values) / classes, split="train",
                       notes=f"samples vs real train, {mean_notes}{card_sampling_note(model, request)}"),
        request.result(f"{NAME}-floor", sum(floors) / classes, split="test-vs-train",
                       notes=f"real test vs real train, {mean_notes}"),
        *results,
    ]
