"""The `shape-acc` metric: how many of a voxel model's samples are recognisable spheres, boxes or tori.

It needs no trained classifier: each sample (thresholded at the middle of its value range) is fitted with
an ideal sphere, box and torus by IoU (shape_fit.py), and read as the class whose fit is best. A sample
is *recognisable* when that best IoU reaches THRESHOLD. Reported: the recognisable share, the share of
all samples recognised as each class (the class histogram; a model that only makes spheres shows it),
and the mean best IoU; then the same for n real test shapes (the `-real` results, the reference a model
is read against), with the share of real shapes whose best fit is their own class (`class-agreement-real`:
how well the fit reads classes at all).

THRESHOLD = 0.8, from real data (`python benchmarks/voxel_fit_threshold.py --n 500`: the first 500 test shapes
of `voxel-shapes`, seed 0). The fit names the true class of all 500; their best IoU has its 1st percentile
at 0.925 and 99.8% reach 0.8 (99.4% reach 0.9: the search misses the best orientation of a few boxes, own-class
IoU 1st percentile 0.864). A wrong class fits a real box at most 0.796 and a torus 0.749, so 0.8 is above
anything a wrong solid reaches there; small voxel balls are blocky enough for a box to fit them up to 0.877,
which the best class settles (a ball's own fit: 1st percentile 0.986). So 0.8 accepts almost every real shape and
refuses a blob that only roughly resembles one of them.
"""

from __future__ import annotations

import torch

from genzoo.plugin import EvalRequest, GenzooError

from genzoo_adversarial.shape_fit import Fit, fit_shapes
from genzoo_adversarial.voxel_shapes import CLASSES

THRESHOLD = 0.8
DEFAULT_N = 500
FIT_BATCH = 64  # examples fitted at once: memory grows with FIT_BATCH * candidates * side^3


def fit_all(volumes: torch.Tensor, value_range: tuple[float, float], seed: int) -> Fit:
    """Fit every volume (n, 1, d, h, w), thresholded at the middle of `value_range`, from one seeded generator."""
    low, high = value_range
    occupancy = (volumes.float().cpu() > (low + high) / 2).flatten(1)
    generator = torch.Generator().manual_seed(seed)
    fits = [fit_shapes(chunk, generator) for chunk in occupancy.split(FIT_BATCH)]
    return Fit(*(torch.cat(parts) for parts in zip(*fits, strict=True)))


def summary(fit: Fit, suffix: str) -> dict[str, float]:
    """Recognisable share, per-class shares of all examples and mean best IoU, names ending in `suffix`."""
    recognisable = fit.best_iou >= THRESHOLD
    values = {f"recognisable{suffix}": recognisable.float().mean()}
    for index, name in enumerate(CLASSES):
        values[f"recognisable-{name}{suffix}"] = (recognisable & (fit.kind == index)).float().mean()
    values[f"mean-best-iou{suffix}"] = fit.best_iou.mean()
    return {name: float(value) for name, value in values.items()}


def real_reference(request: EvalRequest, n: int, shape: tuple[int, ...] | None) -> list:
    """The summary of n real test shapes, with how often the best fit is the shape's own class."""
    dataset = request.dataset("test")
    if shape is not None and tuple(dataset.data_spec.shape) != shape:
        raise GenzooError(f"shape-acc compares samples of shape {shape} with real {request.data!r} shapes of shape "
                          f"{tuple(dataset.data_spec.shape)}: pass --data with the model's voxel dataset")
    volumes, labels = dataset.tensors()
    volumes, labels = volumes[:n], labels[:n]
    fit = fit_all(volumes, dataset.data_spec.value_range, request.seed)
    notes = f"n={len(volumes)} real test shapes, recognisable at best-fit IoU >= {THRESHOLD}"
    values = summary(fit, "-real") | {"class-agreement-real": float((fit.kind == labels).float().mean())}
    return [request.result(name, value, split="test", notes=notes) for name, value in values.items()]


@torch.no_grad()
def shape_accuracy_metric(model, request: EvalRequest):
    """Recognisable shares of n model samples and of n real test shapes (only the latter with --real)."""
    n = request.n or DEFAULT_N
    if model is None:
        return real_reference(request, n, None)
    spec = model.data_spec
    if len(spec.shape) != 4 or spec.shape[0] != 1 or spec.value_range is None:
        raise GenzooError(f"shape-acc reads one-channel voxel grids (1, d, h, w): {model.name!r} makes samples of "
                          f"shape {tuple(spec.shape)}")
    generator = torch.Generator(device=model.device).manual_seed(request.seed)
    samples = torch.cat([model.sample(min(request.batch_size, n - start), generator=generator,
                                      sampler=request.sampler, **request.sampler_options).cpu()
                         for start in range(0, n, request.batch_size)])
    fit = fit_all(samples, spec.value_range, request.seed)
    sampling = model.card_sampling(request.sampler, request.sampler_options)
    notes = (f"n={n} samples, recognisable at best-fit IoU >= {THRESHOLD}"
             + (f", the card's sampler {sampling}" if sampling else ""))
    results = [request.result(name, value, split="samples", notes=notes) for name, value in summary(fit, "").items()]
    return results + real_reference(request, n, tuple(spec.shape))
