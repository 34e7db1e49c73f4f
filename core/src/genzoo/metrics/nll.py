"""Negative log-likelihood on held-out data, in nats and, where it means something, bits/dim.

Protocol (GUIDE 6): continuous models are scored on uniformly dequantized data, (k + u) / L, where
bits/dim = (NLL / D + ln(L / width)) / ln 2 bounds the discrete NLL; models of discrete levels give
a probability mass directly, so bits/dim = NLL / (D ln 2); binary data is reported in nats only.
Bounds (ELBO, IWAE) are flagged as such. On 2D toys with a known density the ideal NLL of the
same test points is reported beside the model's.

Conditional models are scored given each example's label, log p(x | y). The metric's own option
`given_label=false` (`--likelihood given_label=false`) scores the marginal log p(x) instead, by calling
`log_prob(x, condition=None)`, for models whose class sets `marginalises_labels` (a class-conditional
Gaussian sums over its class prior); other options go to `log_prob` itself.
"""

from __future__ import annotations

import inspect
import math

import torch
from tqdm import tqdm

from genzoo.capabilities import LIKELIHOOD_CAPABILITIES, Capability
from genzoo.data.base import view_for
from genzoo.dataspec import DataSpec
from genzoo.errors import CapabilityError, ConfigError, GenzooError
from genzoo.metrics.base import EvalRequest, require_model


def bits_per_dim(nll_nats: float, spec: DataSpec) -> float | None:
    """bits/dim of an NLL measured on data described by `spec`; None when it is not defined."""
    if spec.kind == "binary":
        return None
    if spec.kind == "discrete":
        return nll_nats / (spec.dim * math.log(2))
    if spec.levels is None or spec.value_range is None:
        return None  # continuous data with no quantisation (2D toys): nats only
    low, high = spec.value_range
    return (nll_nats / spec.dim + math.log(spec.levels / (high - low))) / math.log(2)


def nll_metric(model, request: EvalRequest):
    """Mean NLL of the test split (nats per example), bits/dim, and the ideal where the density is known."""
    model = require_model(model, "nll")
    if not LIKELIHOOD_CAPABILITIES & model.capabilities:
        raise CapabilityError(f"{model.name!r} has no likelihood (needs log_prob, log_prob_bound or log_prob_estimate)")
    options = dict(request.likelihood_options)
    given_label = _given_label(model, options.pop("given_label", True))
    options = _check_options(model, options)
    test = request.dataset("test", view_for(model.data_spec, "likelihood"))
    x, y = test.tensors()
    if tuple(x.shape[1:]) != tuple(model.data_spec.shape):
        raise GenzooError(f"{model.name!r} models data of shape {tuple(model.data_spec.shape)}; the {request.data} "
                          f"test split holds {tuple(x.shape[1:])}")
    conditional = Capability.CONDITIONAL in model.capabilities and given_label
    if conditional and y is None:
        raise GenzooError(f"{model.name!r} is scored given each example's label, but the {request.data} test split "
                          "has no labels")
    if request.n is not None:
        x, y = x[: request.n], None if y is None else y[: request.n]
    labels = y.split(request.batch_size) if conditional else [None] * math.ceil(len(x) / request.batch_size)
    cuda = [model.device] if model.device.type == "cuda" else []
    with torch.no_grad(), torch.random.fork_rng(devices=cuda):  # stochastic bounds: the same value on every rerun
        torch.manual_seed(request.seed)
        log_p = torch.cat([
            model.log_prob(xb.to(model.device), condition=None if yb is None else yb.to(model.device),
                           **options).double().cpu()
            for xb, yb in tqdm(list(zip(x.split(request.batch_size), labels, strict=True)),
                               desc="log_prob", leave=False, mininterval=5)
        ])
    nll = float(-log_p.mean())
    notes = f"{_kind(model)}, n={len(x)}{', conditioned on the label' if conditional else ''}"
    if not given_label:
        notes += ", the marginal over labels"
    if request.likelihood_options:
        notes += ", " + ", ".join(f"{k}={v}" for k, v in sorted(request.likelihood_options.items()))
    results = [request.result("nll", nll, notes=f"nats per example, {notes}")]
    bpd = bits_per_dim(nll, test.data_spec)
    if bpd is not None:
        results.append(request.result("bits/dim", bpd, notes=f"{test.data_spec.levels} levels, {notes}"))
    if getattr(test, "has_density", False):
        ideal = float(-test.log_prob(x).double().mean())
        results.append(request.result("nll-ideal", ideal, notes=f"true density on the same {len(x)} test points"))
    return results


def _kind(model) -> str:
    if model.log_prob_is_exact:
        return "exact"
    if Capability.LOG_PROB_BOUND in model.capabilities:
        return "upper bound (from a lower bound on log p)"
    return "stochastic estimate"


def _given_label(model, value) -> bool:
    """The metric's own `given_label` option as a bool (the CLI passes JSON, so `false` arrives parsed);
    false only for a model whose class says its log_prob marginalises the label."""
    from pydantic import TypeAdapter, ValidationError

    try:
        given = TypeAdapter(bool).validate_python(value)
    except ValidationError:
        raise ConfigError(f"--likelihood given_label={value!r}: expected true or false") from None
    if not given and not model.marginalises_labels:
        raise ConfigError(f"--likelihood given_label=false: {model.name!r} has no marginal log p(x) over labels "
                          "(only class-conditional models whose log_prob sums over their class prior do)")
    return given


def _check_options(model, options: dict) -> dict:
    """--likelihood options checked against the model's log_prob signature: a clear error for an option it
    does not take or a value of the wrong type (k=abc); returns the values converted to the annotated types."""
    from pydantic import ConfigDict, TypeAdapter, ValidationError

    try:
        signature = inspect.signature(model.log_prob, eval_str=True)
    except NameError:  # an annotation names a type imported only for type checkers: check the names only
        signature = inspect.signature(model.log_prob)
    try:
        signature.bind_partial(None, condition=None, **options)
    except TypeError:
        accepted = [p.name for p in signature.parameters.values()
                    if p.kind is p.KEYWORD_ONLY and p.name != "condition"]
        raise ConfigError(f"{model.name!r} log_prob takes no option(s) {', '.join(sorted(options))}; "
                          f"it accepts: {', '.join(accepted) or 'none'}") from None
    checked = {}
    for key, value in options.items():
        annotation = signature.parameters[key].annotation
        if annotation is inspect.Parameter.empty or isinstance(annotation, str):
            checked[key] = value
            continue
        try:
            adapter = TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))
            checked[key] = adapter.validate_python(value)
        except ValidationError as error:
            raise ConfigError(f"--likelihood {key}={value!r}: {error.errors()[0]['msg']}") from None
    return checked
