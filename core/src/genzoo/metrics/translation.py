"""Metrics of translators (capability `translate`): translation-FID with its real-data floor, and class preservation.

Both read the test split of a dataset that holds the two domains:
- paired (a "source" field beside "x", e.g. edges2mnist): the inputs are "source", their labels
  "label", the real target-domain images "x";
- unpaired (`streams`, e.g. mnist-thin-thick): the inputs and their labels come from the stream
  named by the model's `source_stream` (default: the second stream), the real targets from its
  `target_stream` (default: the first, the domain of the dataset's data_spec).
A seeded permutation picks n inputs. The images are read by the feature classifier of the dataset
named by the dataset object's `feature_dataset` attribute (the registered dataset whose classifier
reads its target-domain images, e.g. "mnist" for edges2mnist), else of the requested dataset.

- `translation-fid`: FID between the classifier features of the n translations and of n real
  target images R2, with `translation-fid-floor`, the FID between n *other* real target images R1
  and R2 at the same n (FID is biased at small n, so a value means something only beside its floor).
  For paired data R1 are the inputs' own targets: the floor is what a perfect translator would
  score. R1 and R2 are disjoint, so n is at most half the target images (default 2,000).
- `class-kept`: the share of the n translations the classifier assigns to their input's label
  (a translator that keeps the content keeps the class).
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from genzoo.capabilities import Capability
from genzoo.data.base import view_for
from genzoo.errors import CapabilityError, GenzooError
from genzoo.metrics.base import EvalRequest, batched, require_model
from genzoo.metrics.conditional import accuracy
from genzoo.metrics.features import classifier_features, feature_classifier_name, load_feature_classifier
from genzoo.metrics.fid import frechet_distance

DEFAULT_N = 2000
SOURCE_FIELD = "source"


class TranslationData(NamedTuple):
    """What both metrics read: n inputs with their labels, two disjoint sets of n real targets, the classifier's
    dataset, and a note saying where each came from."""

    inputs: torch.Tensor
    labels: torch.Tensor | None
    reference: torch.Tensor  # R1: the inputs' own targets for paired data
    real: torch.Tensor  # R2: what translations and the floor are compared with
    classifier_data: str
    notes: str


def require_translator(model, metric: str):
    """The model behind `model` (a name or a model), or a one-line error when it cannot translate."""
    model = require_model(model, metric)
    if Capability.TRANSLATE not in model.capabilities or model.source_spec is None:
        raise CapabilityError(f"{model.name!r} cannot translate: {metric} measures translators")
    return model


def translation_data(model, request: EvalRequest, metric: str) -> TranslationData:
    """The test inputs, labels and real targets of the requested dataset for `model` (see the module docstring)."""
    model = require_translator(model, metric)
    dataset = request.dataset("test", view_for(model.data_spec, "samples"))
    streams = getattr(dataset, "streams", None)
    if streams is not None:
        inputs, labels, targets, where = _unpaired(model, streams, request.data)
    elif SOURCE_FIELD in dataset.fields:
        tensors = dataset.field_tensors()
        inputs, labels, targets = tensors[SOURCE_FIELD], tensors.get("label"), tensors["x"]
        where = f"inputs: {request.data} test '{SOURCE_FIELD}', targets: its 'x'"
    else:
        raise GenzooError(f"{request.data} holds neither pairs (a '{SOURCE_FIELD}' field beside 'x') nor unpaired "
                          f"streams: a translator is measured on data with both of its domains")
    if tuple(targets.shape[1:]) != tuple(model.data_spec.shape):
        raise GenzooError(f"{model.name!r} makes images of shape {model.data_spec.shape}, but the real targets in "
                          f"{request.data} have shape {tuple(targets.shape[1:])}")
    if len(targets) < 2:
        raise GenzooError(f"{request.data} has {len(targets)} test target images: the floor needs two disjoint sets")
    n = min(request.n or DEFAULT_N, len(targets) // 2, len(inputs))
    generator = torch.Generator().manual_seed(request.seed)
    picked = torch.randperm(len(inputs), generator=generator)[:n]
    if streams is None:  # paired: R1 = the picked inputs' own targets, R2 = n targets of other examples
        rest = torch.randperm(len(targets) - n, generator=generator)[:n]
        others = torch.ones(len(targets), dtype=torch.bool)
        others[picked] = False
        reference, real = targets[picked], targets[others][rest]
    else:
        order = torch.randperm(len(targets), generator=generator)
        reference, real = targets[order[:n]], targets[order[n : 2 * n]]
    classifier_data = getattr(dataset, "feature_dataset", request.data)
    notes = f"n={n}, {where}, classifier: {feature_classifier_name(classifier_data)}"
    return TranslationData(inputs[picked], None if labels is None else labels[picked], reference, real,
                           classifier_data, notes)


def _unpaired(model, streams: dict, data: str):
    names = list(streams)
    source = getattr(model, "source_stream", names[1])
    target = getattr(model, "target_stream", names[0])
    for stream in (source, target):
        if stream not in streams:
            raise GenzooError(f"{model.name!r} translates stream {source!r} into {target!r}, but {data} has streams "
                              f"{names}")
    inputs, labels = streams[source].tensors()
    return inputs, labels, streams[target].tensors()[0], f"inputs: {data} test stream {source}, targets: {target}"


def translate_all(model, inputs: torch.Tensor, request: EvalRequest) -> torch.Tensor:
    """The model's translations of `inputs`, in batches, from one generator seeded with the request's seed."""
    generator = torch.Generator(device=model.device).manual_seed(request.seed)
    return batched(lambda x: model.translate_inputs(x, generator=generator).cpu(), inputs, request.batch_size,
                   "translating")


def translation_fid_metric(model, request: EvalRequest):
    """FID of n translations against n real target images, with the floor of n other real targets (same n)."""
    data = translation_data(model, request, "translation-fid")
    classifier = load_feature_classifier(data.classifier_data, request.device)

    def features(x: torch.Tensor) -> torch.Tensor:
        return classifier_features(classifier, x, request.batch_size)

    real = features(data.real)
    value = frechet_distance(features(translate_all(model, data.inputs, request)), real)
    floor = frechet_distance(features(data.reference), real)
    return [request.result("translation-fid", value, notes=f"translations vs real targets, {data.notes}"),
            request.result("translation-fid-floor", floor, notes=f"real targets vs other real targets, {data.notes}")]


def class_kept_metric(model, request: EvalRequest):
    """Share of n translations whose classifier label is their input's label."""
    data = translation_data(model, request, "class-kept")
    if data.labels is None:
        raise GenzooError(f"{request.data} has no labels on its inputs: class-kept compares the output's class with "
                          f"the input's")
    classifier = load_feature_classifier(data.classifier_data, request.device)
    value = accuracy(classifier, translate_all(model, data.inputs, request), data.labels, request.batch_size)
    return [request.result("class-kept", value, notes=data.notes)]
