"""The 2D toy distributions (FFJORD's conventions), generated from a seed.

Where the density is known in closed form (the Gaussian mixtures, the checkerboard) the dataset
carries it as `log_prob`, so a model's held-out log-likelihood can be compared with the ideal
(the mean of the true log-density on the same test points). The mixtures also carry their
`modes` and `mode_std` for the VEEGAN mode-coverage protocol.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from pydantic import PositiveInt, validate_call

from genzoo.data.base import Split, TensorDataset
from genzoo.dataspec import DataSpec
from genzoo.distributions import log_mean_exp

TOY_SPEC = DataSpec(shape=(2,), kind="continuous", value_range=None)
DEFAULT_SIZE = {"train": 50_000, "test": 10_000}


class ToyDataset(TensorDataset):
    """2D points with labels (the component each came from) and, where known, the true density."""

    def __init__(self, x, y, *, name: str, split: Split, log_prob: Callable[[torch.Tensor], torch.Tensor] | None = None,
                 modes: torch.Tensor | None = None, mode_std: float | None = None):
        super().__init__(x, y, TOY_SPEC, name=name, split=split)
        self._log_prob, self.modes, self.mode_std = log_prob, modes, mode_std

    @property
    def has_density(self) -> bool:
        return self._log_prob is not None

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """The exact log-density of the generating distribution at `x`, in nats per point."""
        if self._log_prob is None:
            from genzoo.errors import GenzooError

            raise GenzooError(f"the {self.name} toy has no closed-form density")
        return self._log_prob(x)


def _generator(split: Split, seed: int) -> torch.Generator:
    """Train and test come from disjoint streams of the same seed."""
    return torch.Generator().manual_seed(2 * seed + (split == "test"))


def _size(split: Split, n: int | None) -> int:
    return n or DEFAULT_SIZE[split]


def _mixture(name: str, centers: torch.Tensor, std: float, split: Split, n: int | None, seed: int) -> ToyDataset:
    g = _generator(split, seed)
    labels = torch.randint(len(centers), (_size(split, n),), generator=g)
    x = centers[labels] + std * torch.randn(len(labels), 2, generator=g)

    def log_prob(points: torch.Tensor) -> torch.Tensor:
        squared = ((points[:, None, :] - centers.to(points)) ** 2).sum(-1)
        per_mode = -squared / (2 * std**2) - math.log(2 * math.pi * std**2)
        return log_mean_exp(per_mode, dim=1)

    return ToyDataset(x, labels, name=name, split=split, log_prob=log_prob, modes=centers, mode_std=std)


@validate_call
def eight_gaussians(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> ToyDataset:
    """8 Gaussians of std 0.5 on a circle of radius 4, all divided by 1.414 (ideal test LL ~ -2.84 nats)."""
    angles = torch.arange(8) * (math.pi / 4)
    centers = 4 * torch.stack([angles.cos(), angles.sin()], dim=1) / 1.414
    return _mixture("8gaussians", centers, 0.5 / 1.414, split, n, seed)


@validate_call
def twentyfive_gaussians(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> ToyDataset:
    """A 5x5 grid of Gaussians at spacing 2 with std 0.05, all divided by 2.828."""
    grid = torch.arange(-2, 3, dtype=torch.float32) * 2
    centers = torch.cartesian_prod(grid, grid) / 2.828
    return _mixture("25gaussians", centers, 0.05 / 2.828, split, n, seed)


@validate_call
def checkerboard(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> ToyDataset:
    """Uniform on the 8 dark squares (side 2) of a 4x4 board spanning [-4, 4]^2: density 1/32."""
    g = _generator(split, seed)
    size = _size(split, n)
    u = torch.rand(size, generator=g) * 4 - 2
    v = torch.rand(size, generator=g) - 2 * torch.randint(2, (size,), generator=g) + torch.floor(u) % 2
    x = torch.stack([u, v], dim=1) * 2
    labels = (torch.floor(u) + 2) * 4 + torch.floor(v) + 2  # which square of the board

    def log_prob(points: torch.Tensor) -> torch.Tensor:
        a, b = points[:, 0] / 2, points[:, 1] / 2
        inside = (a.abs() < 2) & (b.abs() < 2) & ((torch.floor(a) + torch.floor(b)) % 2 == 0)
        return torch.where(inside, -math.log(32.0), -math.inf)

    return ToyDataset(x, labels.long(), name="checkerboard", split=split, log_prob=log_prob)


@validate_call
def moons(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> ToyDataset:
    """Two interleaved half circles with noise 0.1, scaled by 2 and shifted by (-1, -0.2)."""
    g = _generator(split, seed)
    size = _size(split, n)
    labels = torch.randint(2, (size,), generator=g)
    t = torch.rand(size, generator=g) * math.pi
    upper = torch.stack([t.cos(), t.sin()], dim=1)
    lower = torch.stack([1 - t.cos(), 0.5 - t.sin()], dim=1)
    x = torch.where(labels[:, None] == 0, upper, lower) + 0.1 * torch.randn(size, 2, generator=g)
    return ToyDataset(x * 2 + torch.tensor([-1.0, -0.2]), labels, name="moons", split=split)


@validate_call
def swissroll(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> ToyDataset:
    """scikit-learn's swiss roll (noise 1.0) seen from the side, divided by 5."""
    g = _generator(split, seed)
    size = _size(split, n)
    t = 1.5 * math.pi * (1 + 2 * torch.rand(size, generator=g))
    x = torch.stack([t * t.cos(), t * t.sin()], dim=1) + torch.randn(size, 2, generator=g)
    return ToyDataset(x / 5, torch.zeros(size, dtype=torch.long), name="swissroll", split=split)


@validate_call
def two_spirals(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> ToyDataset:
    """Two spirals of 1.5 turns, point-mirrored, with uniform jitter 0.5, /3, then noise 0.1."""
    g = _generator(split, seed)
    size = _size(split, n)
    labels = torch.randint(2, (size,), generator=g)
    t = torch.rand(size, generator=g).sqrt() * 3 * math.pi
    arm = torch.stack([-t.cos() * t, t.sin() * t], dim=1) + torch.rand(size, 2, generator=g) * 0.5
    x = torch.where(labels[:, None] == 0, arm, -arm) / 3 + 0.1 * torch.randn(size, 2, generator=g)
    return ToyDataset(x, labels, name="2spirals", split=split)


@validate_call
def rings(split: Split = "train", *, n: PositiveInt | None = None, seed: int = 0) -> ToyDataset:
    """Four concentric circles of radius 0.75, 1.5, 2.25 and 3 with noise 0.08."""
    g = _generator(split, seed)
    size = _size(split, n)
    labels = torch.randint(4, (size,), generator=g)
    angle = torch.rand(size, generator=g) * 2 * math.pi
    radius = (labels + 1).float() * 0.75
    x = radius[:, None] * torch.stack([angle.cos(), angle.sin()], dim=1) + 0.08 * torch.randn(size, 2, generator=g)
    return ToyDataset(x, labels, name="rings", split=split)
