"""Sample-quality metrics on classifier features (FID, KID) share one protocol, written once here.

The model's n samples (class-balanced for conditional models) are compared with n real *train* images; the floor is the same distance
between n real *test* images and those train images, so a reader sees at once how far from real
data a model is, at the same sample count (both FID and KID are biased at small n).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from genzoo.card import MetricResult
from genzoo.data.base import view_for
from genzoo.distributions.levels import from_levels
from genzoo.errors import GenzooError
from genzoo.metrics.base import EvalRequest, batched, card_sampling_note, draw_samples


def feature_classifier_name(dataset: str) -> str:
    """The pretrained `classifier` published for `dataset` (any plugin may publish one)."""
    from genzoo.registry import get_registry
    from genzoo.specs import PretrainedSpec

    registry = get_registry()
    names = sorted(n for n, s in registry.models.items()
                   if isinstance(s, PretrainedSpec) and s.architecture == "classifier" and s.dataset == dataset)
    if not names:
        raise GenzooError(f"no feature classifier for dataset {dataset!r}: FID/KID need a pretrained 'classifier' "
                          f"whose dataset is {dataset!r}")
    return names[0]


def load_feature_classifier(dataset: str, device: str | None = None):
    import genzoo

    return genzoo.load(feature_classifier_name(dataset), device=device)


def classifier_input(classifier, x: torch.Tensor) -> torch.Tensor:
    """Images as the values the classifier was trained on: level indices (the samples and data of int64
    models such as a categorical mixture) become k / (L - 1), the continuous view; floats pass as they are."""
    if x.is_floating_point():
        return x
    return from_levels(x, classifier.data_spec.levels)


def classifier_features(classifier, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    """The classifier's penultimate features of `x`, in batches, as float64 on the CPU."""
    x = classifier_input(classifier, x)
    return batched(classifier.features, x.to(classifier.device), batch_size, "features").double().cpu()


def require_same_shape(model, request: EvalRequest, data_spec) -> None:
    """A GenzooError unless the model's samples have the shape of the requested dataset's examples."""
    if tuple(model.data_spec.shape) != tuple(data_spec.shape):
        raise GenzooError(f"the model makes samples of shape {model.data_spec.shape}, "
                          f"but {request.data} examples have shape {data_spec.shape}")


Distance = Callable[[torch.Tensor, torch.Tensor, torch.Generator], float]


def compare_with_real(model, request: EvalRequest, distances: dict[str, Distance]) -> list[MetricResult]:
    """Each named distance between samples and real train images (when there is a model) and its
    real-data floor, in that order per name. The real images, the samples and their classifier
    features are drawn and computed once for all the distances (precision and recall share them)."""
    classifier_name = feature_classifier_name(request.data)
    classifier = load_feature_classifier(request.data, request.device)
    view = view_for(model.data_spec, "samples") if model is not None else "continuous"
    test, train = request.dataset("test", view), request.dataset("train", view)
    if model is not None:
        require_same_shape(model, request, test.data_spec)
    n = min(request.n or len(test), len(test))
    generator = torch.Generator().manual_seed(request.seed)
    x_test = test.tensors()[0][torch.randperm(len(test), generator=generator)[:n]]
    x_train = train.tensors()[0][torch.randperm(len(train), generator=generator)[:n]]

    def features(x: torch.Tensor) -> torch.Tensor:
        return classifier_features(classifier, x, request.batch_size)

    train_features, test_features = features(x_train), features(x_test)
    sample_features = None
    if model is not None:
        sample_features = features(draw_samples(model, request, n, condition=model.balanced_condition(n)))
    notes = f"n={n}, {view} view, features: {classifier_name} penultimate layer"
    results = []
    for name, distance in distances.items():
        floor = distance(test_features, train_features, generator)
        if sample_features is not None:
            value = distance(sample_features, train_features, generator)
            results.append(request.result(name, value, split="train", notes=f"samples vs real train, {notes}"
                                                                             f"{card_sampling_note(model, request)}"))
        results.append(request.result(f"{name}-floor", floor, split="test-vs-train",
                                      notes=f"real test vs real train, {notes}"))
    return results
