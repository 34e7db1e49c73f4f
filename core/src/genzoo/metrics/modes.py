"""Mode coverage on 2D mixtures, the VEEGAN protocol (Srivastava et al., 2017).

2,500 samples; a sample is high quality when it lies within 3 standard deviations of its nearest
mode; a mode is captured when it is the nearest mode of at least one high-quality sample.
"""

from __future__ import annotations

import torch

from genzoo.errors import GenzooError
from genzoo.metrics.base import EvalRequest, draw_samples, require_model

DEFAULT_SAMPLES = 2500
SIGMAS = 3.0


def mode_coverage(samples: torch.Tensor, modes: torch.Tensor, std: float, sigmas: float = SIGMAS) -> tuple[int, float]:
    """(number of captured modes, share of high-quality samples)."""
    distances = torch.cdist(samples.double(), modes.double())
    nearest, index = distances.min(dim=1)
    good = nearest <= sigmas * std
    return int(index[good].unique().numel()), float(good.double().mean())


def modes_metric(model, request: EvalRequest):
    """Captured modes and high-quality share of the model's samples on a mixture toy."""
    model = require_model(model, "modes")
    reference = request.dataset("test")
    if getattr(reference, "modes", None) is None:
        raise GenzooError(f"dataset {request.data!r} has no modes; mode coverage needs a mixture such as 8gaussians")
    n = request.n or DEFAULT_SAMPLES
    captured, quality = mode_coverage(draw_samples(model, request, n).reshape(n, -1), reference.modes,
                                      reference.mode_std)
    notes = f"VEEGAN protocol, n={n}, within {SIGMAS:g} std ({reference.mode_std:.4g})"
    return [
        request.result("modes", captured, notes=f"of {len(reference.modes)} modes captured, {notes}"),
        request.result("high-quality", quality, notes=f"share of samples, {notes}"),
    ]
