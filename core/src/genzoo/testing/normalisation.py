"""Does an exact `log_prob` integrate to one? The check behind the kit's normalisation test.

A wrong sign on a log-determinant, a missing Jacobian or a forgotten normaliser gives finite,
plausible-looking log-likelihoods that are simply not a density; only integrating catches it. On
the tiny config this is cheap: a grid integral for 1-2-d continuous data, a full sum over every
configuration for small discrete data.
"""

from __future__ import annotations

import itertools
import math

import torch

from genzoo.capabilities import Capability

TOLERANCE = 0.02  # |total mass - 1| allowed
MAX_CONFIGURATIONS = 1 << 16  # discrete data with more configurations than this are not enumerated
GRID_POINTS = {1: 4001, 2: 301}  # per axis
SAMPLES_FOR_BOX = 4000
BATCH = 8192


class CannotCheck(Exception):
    """The tiny config is outside what the check can integrate (said why, for pytest.skip)."""


def _conditions(model) -> list[torch.Tensor | None]:
    """None for an unconditional model, else each class (the density must normalise for every label)."""
    if Capability.CONDITIONAL not in model.capabilities:
        return [None]
    if model.condition_spec is not None:
        raise CannotCheck("conditioned on vectors or images, which cannot be enumerated")
    return [torch.tensor(c) for c in range(model.data_spec.num_classes or 1)]


def _log_prob(model, x: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
    parts = []
    for chunk in x.split(BATCH):
        labels = None if condition is None else condition.expand(len(chunk)).to(model.device)
        parts.append(model.log_prob(chunk.to(model.device), condition=labels).double().cpu())
    return torch.cat(parts)


def _grid_box(model, condition: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-dimension (low, high) that holds nearly all the mass: the model's own samples, widened
    by their span on each side; else the DataSpec's value range."""
    spec = model.data_spec
    if Capability.SAMPLE in model.capabilities:
        labels = None if condition is None else condition.expand(SAMPLES_FOR_BOX)
        samples = model.sample(SAMPLES_FOR_BOX, condition=labels, generator=torch.Generator().manual_seed(0))
        flat = samples.double().reshape(SAMPLES_FOR_BOX, -1).cpu()
        low, high = flat.min(0).values, flat.max(0).values
        span = (high - low).clamp_min(1e-3)
        return low - span, high + span
    if spec.value_range is not None:
        low, high = spec.value_range
        return torch.full((spec.dim,), float(low), dtype=torch.float64), torch.full((spec.dim,), float(high),
                                                                                     dtype=torch.float64)
    raise CannotCheck("the model cannot sample and its DataSpec has no value_range, so no box holds its mass")


def _grid_mass(model, condition: torch.Tensor | None) -> float:
    spec = model.data_spec
    low, high = _grid_box(model, condition)
    points = GRID_POINTS[spec.dim]
    axes = [torch.linspace(float(a), float(b), points, dtype=torch.float64) for a, b in zip(low, high, strict=True)]
    cell = math.prod(float(axis[1] - axis[0]) for axis in axes)
    grid = torch.stack(torch.meshgrid(*axes, indexing="ij"), dim=-1).reshape(-1, spec.dim)
    x = grid.reshape(-1, *spec.shape).to(torch.float32)
    log_density = _log_prob(model, x, condition).reshape([points] * spec.dim)
    # Trapezoid rule: halve the weight of the boundary points along each axis.
    weights = torch.ones([points] * spec.dim, dtype=torch.float64)
    for axis in range(spec.dim):
        index = [slice(None)] * spec.dim
        for end in (0, -1):
            index[axis] = end
            weights[tuple(index)] *= 0.5
    return float(torch.logsumexp((log_density + weights.log()).flatten(), dim=0).exp() * cell)


def _discrete_mass(model, condition: torch.Tensor | None) -> float:
    spec = model.data_spec
    levels = 2 if spec.kind == "binary" else spec.levels
    low, high = spec.value_range
    if spec.dtype == "int64":
        values = torch.arange(int(low), int(high) + 1)
    else:
        values = torch.linspace(low, high, levels)
    rows = torch.tensor(list(itertools.product(range(levels), repeat=spec.dim)))
    x = values[rows].reshape(-1, *spec.shape)
    return float(torch.logsumexp(_log_prob(model, x, condition), dim=0).exp())


def total_mass(model) -> list[float]:
    """The total probability `model.log_prob` assigns on its data space, once per class label.

    Raises CannotCheck (with the reason) when the tiny config is too large to integrate.
    """
    spec = model.data_spec
    if spec.kind == "continuous":
        if spec.dim not in GRID_POINTS:
            raise CannotCheck(f"continuous data of {spec.dim} dimensions: a grid integral needs 1 or 2")
        integrate = _grid_mass
    else:
        levels = 2 if spec.kind == "binary" else spec.levels
        if levels**spec.dim > MAX_CONFIGURATIONS:
            raise CannotCheck(f"{levels}^{spec.dim} configurations is more than {MAX_CONFIGURATIONS} to enumerate; "
                              "give the tiny config fewer dimensions to have it checked")
        integrate = _discrete_mass
    with torch.no_grad():
        return [integrate(model, condition) for condition in _conditions(model)]
