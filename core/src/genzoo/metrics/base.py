"""The contract of a registered metric, and what the metrics share.

A metric is a function `metric(model, request) -> list[MetricResult]`: `model` is a loaded genzoo
model (None when only real data is measured, e.g. the FID floor) and `request` an EvalRequest that
says which data, how many samples, which seed and sampler. Results carry the exact command that
produced them, so a model card can quote it and anyone can rerun it.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field, PositiveInt
from tqdm import tqdm

from genzoo.card import MetricResult
from genzoo.errors import GenzooError


class EvalRequest(BaseModel):
    """Everything a metric needs besides the model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: str = Field(description="Registered dataset name.")
    data_dir: str | None = None
    n: PositiveInt | None = Field(None, description="Number of samples / examples; None: the metric's default.")
    seed: int = 0
    sampler: str | None = None
    sampler_options: dict[str, Any] = Field(default_factory=dict)
    draws_samples: bool = Field(True, description="False for a metric registered as drawing none: draw_samples "
                                                  "then refuses, so the card's key cannot hide a sampler setting.")
    likelihood_options: dict[str, Any] = Field(
        default_factory=dict, description="Keyword options of model.log_prob, e.g. {'k': 5000} importance samples.")
    batch_size: PositiveInt = 500
    device: str | None = Field(None, description="Where the feature classifier runs (`genzoo eval --device`); "
                                                 "None: cpu.")
    command: str = Field("", description="The command line that reproduces the measurement.")

    def dataset(self, split: str, view: str | None = None):
        """The requested dataset's `split`, seen through `view` where the dataset has views."""
        from genzoo.data import load_dataset

        optional = {"data_dir": self.data_dir, "view": view, "seed": self.seed}
        return load_dataset(self.data, split, optional={k: v for k, v in optional.items() if v is not None})

    def result(self, name: str, value: float, *, split: str = "test", notes: str = "") -> MetricResult:
        return MetricResult(name=name, value=float(value), dataset=self.data, split=split, command=self.command,
                            notes=notes)


def require_model(model, metric: str):
    if model is None:
        raise GenzooError(f"metric {metric!r} needs a model: genzoo eval NAME --metric {metric}")
    return model


class _LastSamples:
    """The latest draw_samples result, so metrics of one eval run (fid and kid, cond-acc and fid) share
    one set of samples: drawing them is what costs (a 1000-step diffusion chain), and sharing keeps
    the metrics comparable. Only the latest is kept, and only while the same model object is alive."""

    key: tuple | None = None
    model_ref = None
    samples: torch.Tensor | None = None


def _samples_key(request: EvalRequest, n: int, condition: torch.Tensor | None) -> tuple:
    options = tuple(sorted((k, repr(v)) for k, v in request.sampler_options.items()))
    labels = None if condition is None else tuple(condition.tolist())
    return request.sampler, options, request.seed, request.batch_size, n, labels


@torch.no_grad()
def draw_samples(model, request: EvalRequest, n: int, condition: torch.Tensor | None = None) -> torch.Tensor:
    """`n` samples in batches from one seeded generator, with the requested sampler and options.

    A repeated request for the same model, sampler, options, seed, n and condition returns the
    samples drawn the first time (the same seeded generator would draw them again).
    """
    if not request.draws_samples:
        raise GenzooError(f"{request.command or 'this metric'}: the metric is registered with draws_samples=False, "
                          "so it may not draw samples (its card key would hide the sampler)")
    key = _samples_key(request, n, condition)
    if _LastSamples.key == key and _LastSamples.model_ref is not None and _LastSamples.model_ref() is model:
        return _LastSamples.samples
    generator = torch.Generator(device=model.device).manual_seed(request.seed)
    chunks = []
    for start in tqdm(range(0, n, request.batch_size), desc="sampling", leave=False, mininterval=5):
        size = min(request.batch_size, n - start)
        labels = None if condition is None else condition[start : start + size]
        chunks.append(model.sample(size, condition=labels, generator=generator, sampler=request.sampler,
                                   **request.sampler_options).cpu())
    samples = torch.cat(chunks)
    _LastSamples.key, _LastSamples.model_ref, _LastSamples.samples = key, weakref.ref(model), samples
    return samples


def card_sampling_note(model, request: EvalRequest) -> str:
    """", with the card's sampler ..." when the samples come from the model's card defaults rather than the
    command line, so a result says how it was sampled even though its command names no sampler."""
    described = model.card_sampling(request.sampler, request.sampler_options)
    return f", the card's sampler {described}" if described else ""


@torch.no_grad()
def batched(function, x: torch.Tensor, batch_size: int, desc: str, **kwargs) -> torch.Tensor:
    """Apply `function` to `x` in batches (bounded memory) and concatenate the results."""
    parts = [function(chunk, **kwargs) for chunk in tqdm(x.split(batch_size), desc=desc, leave=False, mininterval=5)]
    return torch.cat(parts)
