"""IcGAN's metrics on real test images: `class-swap` (does an edit land in the class asked for?) and
`icgan-reconstruction` (how close is G(E_z(x), E_y(x)) to x, and how often is E_y right?).

Both measure the same n seeded test images (default 1,000) twice: with E_z's code alone (the IcGAN paper's
edit) and after the model's `refine_steps` Age-cGAN refinement steps (results named `...-refined`), so one
run gives both rows of the table. The edits are judged by the project classifier of the dataset (the
pretrained `classifier` whose dataset is the one evaluated, e.g. classifier-mnist), as cond-acc does.
"""

from __future__ import annotations

import weakref

import torch

import genzoo
from genzoo.plugin import CapabilityError, EvalRequest, GenzooError, require_model

from genzoo_adversarial.icgan import squared_errors
from genzoo_adversarial.labelled_test import labelled_test_split

DEFAULT_N = 1000  # each image is refined (refine_steps generator passes) and edited into every other class


def _icgan(model, metric: str):
    model = require_model(model, metric)
    if not all(callable(getattr(model, name, None)) for name in ("invert", "label_logits")):
        raise CapabilityError(f"{model.name!r} is not an IcGAN (it has no encoders): {metric} measures IcGANs")
    return model


def project_classifier(dataset: str, device: str | None):
    """The pretrained `classifier` published for `dataset`: what cond-acc and FID read images with."""
    names = sorted(name for name, spec in genzoo.get_registry().models.items()
                   if isinstance(spec, genzoo.PretrainedSpec) and spec.architecture == "classifier"
                   and spec.dataset == dataset)
    if not names:
        raise GenzooError(f"no pretrained classifier for dataset {dataset!r}: the edits are judged by one")
    return genzoo.load(names[0], device=device), names[0]


def _test_images(model, request: EvalRequest) -> tuple[torch.Tensor, torch.Tensor, int]:
    """n seeded test images (default DEFAULT_N) with their labels, and the number of classes."""
    return labelled_test_split(model, request.model_copy(update={"n": request.n or DEFAULT_N}))


class _LastCodes:
    """The codes of the latest request, by refinement steps, so `--metric class-swap --metric icgan-reconstruction`
    refines the same images once: the refinement is what costs. Only the latest request's are kept, and only while
    the same model object is alive."""

    key: tuple | None = None
    model_ref = None
    by_steps: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}


def _codes(model, x: torch.Tensor, steps: int, request: EvalRequest) -> tuple[torch.Tensor, torch.Tensor]:
    """(z, E_y's labels) of the request's test images, refined by `steps`, computed once per model and request."""
    key = (request.data, request.seed, len(x), request.batch_size)
    if _LastCodes.key != key or _LastCodes.model_ref is None or _LastCodes.model_ref() is not model:
        _LastCodes.key, _LastCodes.model_ref, _LastCodes.by_steps = key, weakref.ref(model), {}
    if steps not in _LastCodes.by_steps:
        _LastCodes.by_steps[steps] = _invert_all(model, x, steps, request.batch_size)
    return _LastCodes.by_steps[steps]


def _invert_all(model, x: torch.Tensor, steps: int, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(z, E_y's labels) of every image, in batches, in eval mode."""
    was_training = model.training
    model.eval()
    try:
        codes = [model.invert(xb.to(model.device), steps=steps) for xb in x.split(batch_size)]
    finally:
        model.train(was_training)
    return torch.cat([z for z, _ in codes]), torch.cat([y for _, y in codes])


def _variants(model) -> list[tuple[str, int]]:
    """(result-name suffix, refinement steps): E_z alone, then refined when the model refines."""
    steps = model.config.refine_steps
    return [("", 0)] + ([("-refined", steps)] if steps else [])


def _how(steps: int, model) -> str:
    return f"after {steps} Adam steps on z (lr {model.config.refine_lr:g})" if steps else "E_z alone"


@torch.no_grad()
def swap_success(model, classifier, z: torch.Tensor, labels: torch.Tensor, batch_size: int) -> float:
    """Share of (image, other class) pairs whose edit G(z, other) the classifier reads as `other`."""
    classes = model.num_label_classes
    others = (labels[:, None] + torch.arange(1, classes)[None]) % classes  # every class but the image's own
    targets = others.flatten().to(model.device)
    codes = z.repeat_interleave(classes - 1, 0)
    hits = sum(int((classifier.classify(model.generate_from_latent(zb, tb)).argmax(1) == tb).sum())
               for zb, tb in zip(codes.split(batch_size), targets.split(batch_size)))
    return hits / len(targets)


def class_swap_metric(model, request: EvalRequest):
    """class-swap (E_z alone) and class-swap-refined (after refine_steps): see the module docstring."""
    model = _icgan(model, "class-swap")
    x, labels, classes = _test_images(model, request)
    classifier, name = project_classifier(request.data, request.device)
    classifier = classifier.to(model.device)
    results = []
    for suffix, steps in _variants(model):
        z, _ = _codes(model, x, steps, request)
        value = swap_success(model, classifier, z, labels, request.batch_size)
        notes = (f"n={len(x)} test images x {classes - 1} other classes, {_how(steps, model)}, "
                 f"classifier: {name}")
        results.append(request.result(f"class-swap{suffix}", value, notes=notes))
    return results


@torch.no_grad()
def _reconstruction_mse(model, x: torch.Tensor, z: torch.Tensor, predicted: torch.Tensor, batch_size: int) -> float:
    errors = torch.cat([squared_errors(xb.to(model.device), model.generate_from_latent(zb, yb)).cpu()
                        for xb, zb, yb in zip(x.split(batch_size), z.split(batch_size), predicted.split(batch_size))])
    return float(errors.mean()) / x[0].numel()


def reconstruction_metric(model, request: EvalRequest):
    """Per-pixel MSE of G(z, E_y(x)) against x (E_z alone and refined) and E_y's accuracy on the same images."""
    model = _icgan(model, "icgan-reconstruction")
    x, labels, _ = _test_images(model, request)
    results = []
    for suffix, steps in _variants(model):
        z, predicted = _codes(model, x, steps, request)
        value = _reconstruction_mse(model, x, z, predicted, request.batch_size)
        notes = f"n={len(x)} test images, mean squared error per value, {_how(steps, model)}"
        results.append(request.result(f"icgan-reconstruction{suffix}", value, notes=notes))
    accuracy = float((predicted.cpu() == labels).double().mean())
    results.append(request.result("label-encoder-accuracy", accuracy, notes=f"E_y's argmax vs the labels, n={len(x)}"))
    return results
