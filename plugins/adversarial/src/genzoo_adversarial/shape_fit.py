"""Fit an ideal sphere, box and torus to a voxel grid by intersection over union: how `shape-acc` reads samples.

A sample is read as the class whose best-fitting ideal solid (voxel_shapes.render, the same renderer that
draws the data) overlaps it most; the fit searches the solid's centre, sizes and orientation:

1. Moments give the start. The occupied voxels' centroid is the centre and their covariance's eigenvectors
   the solid's axes; the eigenvalues give the sizes (a solid ball of radius r from its volume; a box's
   half-extent h from its variance h^2 / 3 along that axis; a solid torus's tube radius t from its variance
   t^2 / 4 along its axis, the smallest, and its ring radius R from the in-plane variance R^2 + 3 t^2 / 4).
2. A seeded random search then improves the IoU: each round perturbs the best solid so far `candidates`
   times (centre, sizes by a factor, a small rotation), shrinking the steps round by round, and keeps the
   best (the current solid is always among the candidates, so the IoU never falls). Moments alone fail on
   near-cubic boxes, whose covariance has no preferred axes; the rotations of the search find them.

Everything is batched over examples and candidates; memory grows with batch * candidates * side^3.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch

from genzoo_adversarial.voxel_shapes import BOX, CLASSES, SPHERE, TORUS, TORUS_RING, TORUS_TUBE, render, voxel_centres

ROUNDS = 40
CANDIDATES = 24
# The first round's step sizes, in units of the grid side (centre), of log-size (sizes) and radians (rotation);
# they shrink geometrically over the rounds to FINAL_SCALE times these in the last round.
CENTRE_STEP, SIZE_STEP, ANGLE_STEP = 0.06, 0.25, 0.5
FINAL_SCALE = 0.03
ORIENTATIONS = 32  # random orientations tried beside the moments' before the search
SMALLEST_SIZE = 0.01  # sizes never shrink below a sixth of a voxel at 16^3
MIN_RING_TO_TUBE = TORUS_RING[0] / TORUS_TUBE[1]  # the fattest torus of the data (1.5)


class Solid(NamedTuple):
    """Solids of one class with batch dimensions `...`: centre (..., 3), rotation (..., 3, 3), sizes (..., 3)."""

    centre: torch.Tensor
    rotation: torch.Tensor
    sizes: torch.Tensor


class Fit(NamedTuple):
    """Per example: the best IoU of each class (n, 3), the best class (n,) and its IoU (n,)."""

    iou: torch.Tensor
    kind: torch.Tensor
    best_iou: torch.Tensor


def iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """|a and b| / |a or b| over the last dimension of two bool tensors (0 where both are empty)."""
    overlap = (a & b).sum(-1)
    union = a.sum(-1) + b.sum(-1) - overlap
    return overlap / union.clamp_min(1)


def ideal_sizes(kind: int, sizes: torch.Tensor) -> torch.Tensor:
    """Sizes (..., 3) made those of an ideal solid of the class: at least SMALLEST_SIZE, and a torus's tube at
    most its ring radius / MIN_RING_TO_TUBE, so that a torus keeps its hole (with no hole it would be a ball
    and would fit every sphere)."""
    sizes = sizes.clamp_min(SMALLEST_SIZE)
    if kind != TORUS:
        return sizes
    ring, tube, rest = sizes.unbind(-1)
    return torch.stack([ring, torch.minimum(tube, ring / MIN_RING_TO_TUBE), rest], dim=-1)


def moment_start(occupancy: torch.Tensor, kind: int) -> Solid:
    """The moment estimate of each (n, side^3) occupancy as a solid of class `kind` (see the module docstring).

    An empty grid starts as a small solid in the middle (its IoU is 0 whatever the search does).
    """
    n, cells = occupancy.shape
    side = round(cells ** (1 / 3))
    points = voxel_centres(side)
    weights = occupancy.float()
    count = weights.sum(1, keepdim=True)
    centre = torch.where(count > 0, weights @ points / count.clamp_min(1), torch.full((n, 3), 0.5))
    offsets = points - centre.unsqueeze(1)
    covariance = torch.einsum("np,npi,npj->nij", weights, offsets, offsets) / count.clamp_min(1).unsqueeze(-1)
    variances, axes = torch.linalg.eigh(covariance)  # ascending: axes[..., 0] is the thinnest direction
    variances = variances.clamp_min(0)
    sizes = torch.zeros(n, 3)
    if kind == SPHERE:
        sizes[:, 0] = (3 * count[:, 0] / side**3 / (4 * math.pi)) ** (1 / 3)
    elif kind == BOX:
        sizes = (3 * variances).sqrt()
    else:
        axes = axes[:, :, [1, 2, 0]]  # the torus's own z axis is the thinnest direction
        tube = 2 * variances[:, 0].sqrt()
        sizes[:, 0] = (variances[:, 1:].sum(1) - 0.75 * tube.square()).clamp_min(0).sqrt()
        sizes[:, 1] = tube
    return Solid(centre, axes, ideal_sizes(kind, sizes))


def small_rotations(shape: tuple[int, ...], angle: float, generator: torch.Generator) -> torch.Tensor:
    """(*shape, 3, 3) rotations about random axes, by angles |v| for v ~ N(0, angle^2 / 3 I) in 3-D (so E|v|^2 =
    angle^2: angles of typical size `angle`, never negative), by Rodrigues' formula."""
    vector = torch.randn(*shape, 3, generator=generator) * angle / math.sqrt(3)
    theta = vector.norm(dim=-1, keepdim=True).unsqueeze(-1)
    x, y, z = vector.unbind(-1)
    zero = torch.zeros_like(x)
    cross = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero], dim=-1).reshape(*shape, 3, 3)
    unit = cross / theta.clamp_min(1e-12)
    return torch.eye(3) + theta.sin() * unit + (1 - theta.cos()) * unit @ unit


def perturb(solid: Solid, kind: int, candidates: int, scale: float, generator: torch.Generator) -> Solid:
    """`candidates` perturbed copies of each solid (n, ...) -> (n, candidates, ...); copy 0 is the solid itself."""
    n = len(solid.centre)
    keep = torch.ones(n, candidates, 1)
    keep[:, 1:] = 0
    step = 1 - keep
    centre = solid.centre.unsqueeze(1) + step * CENTRE_STEP * scale * torch.randn(n, candidates, 3, generator=generator)
    factor = (step * SIZE_STEP * scale * torch.randn(n, candidates, 3, generator=generator)).exp()
    sizes = ideal_sizes(kind, solid.sizes.unsqueeze(1) * factor)
    turn = small_rotations((n, candidates), ANGLE_STEP * scale, generator)
    turn[:, 0] = torch.eye(3)
    rotation = solid.rotation.unsqueeze(1) @ turn
    return Solid(centre, rotation, sizes)


def fit_class(occupancy: torch.Tensor, kind: int, generator: torch.Generator, *, rounds: int = ROUNDS,
              candidates: int = CANDIDATES) -> tuple[torch.Tensor, Solid]:
    """The best IoU (n,) of a solid of class `kind` with each bool occupancy (n, side^3), and that solid."""
    side = round(occupancy.shape[1] ** (1 / 3))
    target = occupancy.unsqueeze(1)
    solid, best = best_of(reoriented(moment_start(occupancy, kind), ORIENTATIONS, generator), kind, target)
    for round_index in range(rounds):
        scale = FINAL_SCALE ** (round_index / max(rounds - 1, 1))
        solid, best = best_of(perturb(solid, kind, candidates, scale, generator), kind, target)
    return best, solid


def best_of(trial: Solid, kind: int, target: torch.Tensor) -> tuple[Solid, torch.Tensor]:
    """The candidate (n, candidates, ...) with the highest IoU with each target (n, 1, side^3), and that IoU."""
    side = round(target.shape[-1] ** (1 / 3))
    best, pick = iou(render(kind, *trial, side), target).max(dim=1)
    rows = torch.arange(len(pick))
    return Solid(*(part[rows, pick] for part in trial)), best


def reoriented(solid: Solid, count: int, generator: torch.Generator) -> Solid:
    """(n, 1 + count, ...): each solid as it is, then turned to `count` uniformly random orientations (the QR
    factor of a Gaussian matrix, signs fixed), where moments say nothing about the axes (a cube's)."""
    n = len(solid.centre)
    q, r = torch.linalg.qr(torch.randn(n, count, 3, 3, generator=generator))
    turns = q * torch.diagonal(r, dim1=-2, dim2=-1).sign().unsqueeze(-2)
    rotation = torch.cat([solid.rotation.unsqueeze(1), turns], dim=1)
    return Solid(solid.centre.unsqueeze(1).expand(-1, count + 1, -1), rotation,
                 solid.sizes.unsqueeze(1).expand(-1, count + 1, -1))


def fit_shapes(occupancy: torch.Tensor, generator: torch.Generator, *, rounds: int = ROUNDS,
               candidates: int = CANDIDATES) -> Fit:
    """Fit every class to each bool occupancy (n, side^3): per-class best IoUs and the best class."""
    scores = torch.stack([fit_class(occupancy, kind, generator, rounds=rounds, candidates=candidates)[0]
                          for kind in range(len(CLASSES))], dim=1)
    best_iou, kind = scores.max(dim=1)
    return Fit(scores, kind, best_iou)
