"""The `f-constancy` metric: how much of f's view of a source image survives DTN's translation.

For n test source images x (the input stream, a seeded random subset when --n is smaller than it,
the same subset `class-kept` reads when the target stream is large enough): `f-constancy`, the mean
over images and f's dimensions of (f(x) - f(G(x)))^2 (DTN's L_CONST, G(x) read by f as a target
image), and `f-constancy-relative`, that divided by the mean squared distance of f(x) from the
inputs' mean feature (their total variance per dimension): 0 when f sees G(x) as it sees x, 1 when
G(x) tells f no more about x than the average input would.
"""

from __future__ import annotations

import torch

from genzoo.plugin import CapabilityError, EvalRequest, GenzooError, require_model, view_for

DEFAULT_N = 2000


@torch.no_grad()
def f_constancy_metric(model, request: EvalRequest):
    model = require_model(model, "f-constancy")
    if not callable(getattr(model, "features", None)) or not hasattr(model, "source_stream"):
        raise CapabilityError(f"{model.name!r} has no fixed feature extractor f: f-constancy measures DTN models")
    test = request.dataset("test", view_for(model.data_spec, "samples"))
    streams = getattr(test, "streams", None) or {}
    if model.source_stream not in streams:
        raise GenzooError(f"f-constancy reads source images from stream {model.source_stream!r} (e.g. digits2mnist); "
                          f"{request.data!r} has {sorted(streams) or 'no streams'}")
    inputs = streams[model.source_stream].tensors()[0]
    if tuple(inputs.shape[1:]) != tuple(model.source_spec.shape):
        raise GenzooError(f"{request.data} stream {model.source_stream} has images of shape "
                          f"{tuple(inputs.shape[1:])}; {model.name!r} takes {model.source_spec.shape}")
    n = min(request.n or DEFAULT_N, len(inputs))
    inputs = inputs[torch.randperm(len(inputs), generator=torch.Generator().manual_seed(request.seed))[:n]]
    original, kept = [], []
    for part in inputs.split(request.batch_size):
        part = part.to(model.device)
        original.append(model.features(part, "source").double().cpu())
        kept.append(model.features(model.translate_inputs(part), "target").double().cpu())  # eval mode
    original, kept = torch.cat(original), torch.cat(kept)
    error = (kept - original).square().mean()
    spread = (original - original.mean(0)).square().mean()
    notes = f"n={n} test images of stream {model.source_stream}, f = {model.config.encoder_weights or 'random'}"
    return [request.result("f-constancy", error, notes=f"mean (f(x) - f(G(x)))^2 per dimension, {notes}"),
            request.result("f-constancy-relative", error / spread,
                           notes=f"f-constancy / the inputs' feature variance per dimension, {notes}")]
