"""The `anomaly-auroc` metric: how well a model's anomaly score separates one class of the test split from the rest.

An AnoGAN (a model with `anomaly_scores`) is scored by its latent search; any unconditional model
with an encoder and a decoder (an autoencoder such as `ae-mnist`) by its squared reconstruction
error, the plain baseline the AnoGAN paper compares with. When the model names the class it was
trained without (`anomaly_class`), that class is the anomaly; otherwise every class in turn is,
giving a per-class table and its mean (a model that saw every class in training, which the notes
say, is the easier-to-fool baseline).
"""

from __future__ import annotations

import torch
from tqdm import tqdm

from genzoo.plugin import Capability, CapabilityError, EvalRequest, GenzooError, require_model

from genzoo_adversarial.auroc import auroc
from genzoo_adversarial.labelled_test import labelled_test_split


def reconstruction_errors(model, x: torch.Tensor) -> torch.Tensor:
    """|x - decode(encode(x))|^2 summed over each example's values."""
    return (x - model.decode(model.encode(x))).square().flatten(1).sum(1)


def _scorer(model):
    """(score(x, generator), what the score is) for an AnoGAN or an autoencoder."""
    if callable(getattr(model, "anomaly_scores", None)):
        config = model.config
        described = (f"AnoGAN score, {config.search_steps} Adam steps on z (lr {config.search_lr:g}), "
                     f"lambda={config.discrimination_weight:g}")
        return lambda x, generator: model.anomaly_scores(x, generator=generator), described
    if {Capability.ENCODE, Capability.DECODE} <= model.capabilities and not model.conditional:
        return lambda x, generator: reconstruction_errors(model, x), "squared reconstruction error"
    raise CapabilityError(f"{model.name!r} has no anomaly score: it needs anomaly_scores() (AnoGAN) or an "
                          "unconditional encoder and decoder (reconstruction error)")


def anomaly_auroc_metric(model, request: EvalRequest):
    """AUROC of the model's anomaly scores on the test split (a seeded random subset of n when --n is given)."""
    model = require_model(model, "anomaly-auroc")
    score, described = _scorer(model)
    x, y, classes = labelled_test_split(model, request)
    generator = torch.Generator(device=model.device).manual_seed(request.seed)
    with torch.no_grad():
        scores = torch.cat([score(xb.to(model.device), generator).cpu()
                            for xb in tqdm(x.split(request.batch_size), desc="anomaly scores", leave=False,
                                           mininterval=5)])
    held_out = getattr(model.config, "anomaly_class", None)
    if held_out is not None:
        notes = f"class {held_out} as the anomaly, left out of training; {described}; n={len(x)}"
        return [request.result("anomaly-auroc", _class_auroc(scores, y, held_out), notes=notes)]
    per_class = [_class_auroc(scores, y, k) for k in range(classes)]
    notes = f"the model saw every class in training; {described}; n={len(x)}"
    results = [request.result(f"anomaly-auroc-class-{k}", value, notes=f"class {k} as the anomaly, {notes}")
               for k, value in enumerate(per_class)]
    mean = sum(per_class) / classes
    return [request.result("anomaly-auroc", mean, notes=f"mean over each class as the anomaly, {notes}"), *results]


def _class_auroc(scores: torch.Tensor, labels: torch.Tensor, anomaly: int) -> float:
    is_anomaly = labels == anomaly
    if not is_anomaly.any() or is_anomaly.all():
        raise GenzooError(f"the evaluated examples hold no {'normal' if is_anomaly.all() else 'anomaly'} example "
                          f"(class {anomaly}); use a larger --n")
    return auroc(scores, is_anomaly)
