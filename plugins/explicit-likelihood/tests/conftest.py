"""Fixtures shared by the family's tests."""

from __future__ import annotations

import numpy as np
import pytest
import torch


def _monotone_fit(model, x: torch.Tensor, objective: str, *, iterations: int, moving: int) -> list[float]:
    """Run `model.fit_mixture` for exactly `iterations` iterations (a negative tolerance never stops it early)
    and check the objective it logs under `objective`: the same values it returns, never lower than the one
    before (up to 1e-9 of its size: round-off, and the jitter of Gaussian M-steps), and rising by more than
    1e-3 in at least `moving` iterations, so the data made EM work. Returns the objective per iteration."""
    logged = []
    history = model.fit_mixture(x, iterations=iterations, tolerance=-1.0, log=lambda i, values: logged.append(values),
                                generator=torch.Generator().manual_seed(0))
    assert len(history) == iterations and [values[objective] for values in logged] == history
    steps = np.diff(history)
    assert steps.min() > -1e-9 * abs(history[-1]), f"{objective} fell by {-steps.min():.3g}"
    assert (steps > 1e-3).sum() >= moving, f"{objective} rose in only {(steps > 1e-3).sum()} iterations"
    return history


@pytest.fixture
def monotone_fit():
    """`monotone_fit(model, x, objective, iterations=..., moving=...)`: a checked mixture fit (see `_monotone_fit`)."""
    return _monotone_fit
