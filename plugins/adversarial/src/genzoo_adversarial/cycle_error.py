"""The `cycle-error` metric: how far an unpaired translator's round trip lands from where it started.

For n test images of each domain (the first n, or a seeded random subset with --n): the mean absolute
pixel error of a -> G_ab -> G_ba against a (`cycle-l1-a`) and of b -> G_ba -> G_ab against b
(`cycle-l1-b`), in the data's value units (0..1 for MNIST). It says whether translations keep enough
of their input to be undone, not whether they look like the other domain (translation-fid does) or
keep the digit (class-kept): a translator that copies its input has a cycle error of 0.
"""

from __future__ import annotations

import torch

from genzoo.plugin import CapabilityError, EvalRequest, GenzooError, require_model, view_for

DIRECTIONS = {"a": "a_to_b", "b": "b_to_a"}


@torch.no_grad()
def cycle_error_metric(model, request: EvalRequest):
    model = require_model(model, "cycle-error")
    if not callable(getattr(model, "cycle", None)):
        raise CapabilityError(f"{model.name!r} has no translator back: cycle-error measures two-way translators "
                              f"(CycleGAN, DiscoGAN)")
    test = request.dataset("test", view_for(model.data_spec, "samples"))
    streams = getattr(test, "streams", None) or {}
    if set(DIRECTIONS) - set(streams):
        raise GenzooError(f"cycle-error needs unpaired data with streams 'a' and 'b' (e.g. mnist-thin-thick); "
                          f"{request.data!r} has {sorted(streams) or 'none'}")
    results = []
    for domain, direction in DIRECTIONS.items():
        x = _subset(streams[domain].tensors()[0], request)
        if tuple(x.shape[1:]) != tuple(model.domain_spec(domain).shape):
            raise GenzooError(f"{request.data} stream {domain} has images of shape {tuple(x.shape[1:])}; "
                              f"{model.name!r} takes {tuple(model.domain_spec(domain).shape)}")
        errors = [(model.cycle(part.to(model.device), direction).cpu() - part).abs().flatten(1).mean(1)
                  for part in x.split(request.batch_size)]
        value = torch.cat(errors).mean()
        notes = f"mean |{_trip(domain)} - {domain}| per pixel over n={len(x)} test images of stream {domain}"
        results.append(request.result(f"cycle-l1-{domain}", value, notes=notes))
    return results


def _subset(x: torch.Tensor, request: EvalRequest) -> torch.Tensor:
    if request.n is None or request.n >= len(x):
        return x
    chosen = torch.randperm(len(x), generator=torch.Generator().manual_seed(request.seed))[: request.n]
    return x[chosen]


def _trip(domain: str) -> str:
    return "G_ba(G_ab(a))" if domain == "a" else "G_ab(G_ba(b))"
