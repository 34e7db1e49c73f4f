"""The labelled test split that the family's metrics on real examples (code-agreement, anomaly-auroc) score."""

from __future__ import annotations

import torch

from genzoo.plugin import EvalRequest, GenzooError, view_for


def labelled_test_split(model, request: EvalRequest) -> tuple[torch.Tensor, torch.Tensor, int]:
    """(x, labels, number of classes) of the requested dataset's test split, in the view the model was trained on;
    with --n, a random subset drawn from the request's seed. A clear error when the data have no labels or do not
    have the model's shape."""
    test = request.dataset("test", view_for(model.data_spec, "samples"))
    x, y = test.tensors()
    classes = test.data_spec.num_classes
    if y is None or not classes:
        raise GenzooError(f"dataset {request.data!r} has no labels: this metric compares with the test labels")
    if tuple(test.data_spec.shape) != tuple(model.data_spec.shape):
        raise GenzooError(f"{request.data} examples have shape {tuple(test.data_spec.shape)}; "
                          f"{model.name!r} takes {tuple(model.data_spec.shape)}")
    if request.n is not None and request.n < len(x):
        chosen = torch.randperm(len(x), generator=torch.Generator().manual_seed(request.seed))[: request.n]
        x, y = x[chosen], y[chosen]
    return x, y, classes
