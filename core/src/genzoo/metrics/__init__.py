"""Metrics, registered through the `genzoo_metrics` hook (see `genzoo.metrics.base` for the contract).

    from genzoo.metrics import evaluate
    from genzoo.metrics.base import EvalRequest
    results = evaluate(model, "fid", EvalRequest(data="digits"))
    card = genzoo.ModelCard(name=..., metrics=load_results("results.json"))  # from `genzoo eval -o`

Importing this package is cheap; each metric imports torch inside its own module.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from genzoo.card import MetricResult
    from genzoo.metrics.base import EvalRequest


def evaluate(model, metric: str, request: EvalRequest) -> list[MetricResult]:
    """Run the registered metric `metric` on `model` (None: real data only, e.g. the FID floor)."""
    from genzoo.registry import get_registry
    from genzoo.specs import load_object

    return load_object(get_registry().metric(metric).target)(model, request)


def load_results(path: str | Path) -> list[MetricResult]:
    """The MetricResults that `genzoo eval ... -o path` wrote, ready for a ModelCard."""
    import json

    from genzoo.card import MetricResult

    return [MetricResult.model_validate(item) for item in json.loads(Path(path).read_text(encoding="utf-8"))["results"]]
