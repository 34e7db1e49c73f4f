"""What the three mixture models (gmm, vbgmm, catmix) share: their trainers, their start and a metric.

Each mixture model fits itself (`fit_mixture`), since only the model knows its updates; the trainers
here hand it the whole training split and pass its per-iteration numbers to the run's log, so
`genzoo train` writes one line per EM (or variational) iteration to metrics.jsonl.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import torch
from torch.nn import functional as F

from genzoo.plugin import CapabilityError, ConfigError, EvalRequest, FitData, FitStep, kmeans_plus_plus, require_model

# A component counts as used when its (expected) weight is above this: 1% of the data.
ACTIVE_WEIGHT = 0.01

Log = Callable[[int, dict[str, Any]], None]


class EMStep(FitStep):
    """Expectation-maximisation from a k-means++ start, until the objective gains less than `tolerance`
    (nats per example) in one iteration or after `max_iterations`. The k-means++ seeds come from
    torch's global generator, which `genzoo train` seeds with `train.seed`."""

    method: ClassVar[str] = "EM"

    def fit(self, model, data: FitData, log: Log) -> None:
        model.fit_mixture(data.all().x, iterations=self.max_iterations, tolerance=self.tolerance, log=log)


class VariationalStep(EMStep):
    """Coordinate-ascent variational Bayes (the same loop; the objective is the ELBO per example)."""

    method: ClassVar[str] = "variational Bayes"


def hard_start(x: torch.Tensor, components: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """One-hot responsibilities (n, components): each row of x (n, d) to its nearest k-means++ seed.

    The first M-step from these is EM's usual start (scikit-learn's `init_params="k-means++"` too).
    """
    if len(x) < components:
        raise ConfigError(f"cannot fit {components} mixture components to {len(x)} examples; "
                          f"use at most {len(x)} components")
    nearest = torch.cdist(x, kmeans_plus_plus(x, components, generator)).argmin(1)
    return F.one_hot(nearest, components).to(x.dtype)


@torch.no_grad()
def components_metric(model, request: EvalRequest):
    """How many mixture components carry more than ACTIVE_WEIGHT of the (expected) mixing weight."""
    model = require_model(model, "components")
    weights = getattr(model, "mixture_weights", None)
    if not callable(weights):
        raise CapabilityError(f"{model.name!r} is not a mixture model; the components metric needs mixture_weights()")
    values = weights().double()
    used = int((values > ACTIVE_WEIGHT).sum())
    notes = f"components with weight above {ACTIVE_WEIGHT:g}, of {len(values)}; a property of the fitted model"
    return [request.result("components", used, split="train", notes=notes)]
