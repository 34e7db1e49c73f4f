"""Improved precision and recall (Kynkaanniemi et al. 2019) on the dataset classifier's features.

FID and KID fold two failures into one number: samples that look unlike any real image (low
precision) and real images the model never produces (low recall, e.g. a collapsed GAN). This
metric keeps them apart. Each set of features approximates its manifold by a ball around every
point, of radius the distance to its k-th nearest neighbour in the same set (k=3, as in the paper);
precision is the share of samples inside the real manifold, recall the share of real images inside
the samples' manifold. It follows FID's protocol (genzoo.metrics.features): samples against n real
train images, and the floor is real test images in place of the samples.
"""

from __future__ import annotations

import torch

from genzoo.metrics.base import EvalRequest
from genzoo.metrics.features import compare_with_real

K = 3
CHUNK = 1024  # rows of the distance matrix held at once: n x CHUNK doubles, not n x n


def knn_radii(points: torch.Tensor, k: int = K) -> torch.Tensor:
    """Distance from each point to its k-th nearest neighbour among the others (the point itself, at
    distance 0, is the 0-th), as in the paper's reference code."""
    if len(points) <= k:
        raise ValueError(f"k-NN radii with k={k} need more than {k} points, got {len(points)}")
    return torch.cat([torch.cdist(chunk, points).kthvalue(k + 1, dim=1).values for chunk in points.split(CHUNK)])


def share_inside(queries: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor) -> float:
    """Share of `queries` within the ball of at least one centre (a boundary point counts as inside)."""
    inside = [(torch.cdist(chunk, centres) <= radii).any(dim=1) for chunk in queries.split(CHUNK)]
    return float(torch.cat(inside).double().mean())


def precision(samples: torch.Tensor, real: torch.Tensor, generator: torch.Generator | None = None, *,
              k: int = K) -> float:
    """Share of `samples` inside the k-NN manifold of `real`. `generator` is unused (the value is
    deterministic); it is accepted to share FID's and KID's signature."""
    real = real.double()
    return share_inside(samples.double(), real, knn_radii(real, k))


def recall(samples: torch.Tensor, real: torch.Tensor, generator: torch.Generator | None = None, *,
           k: int = K) -> float:
    """Share of `real` inside the k-NN manifold of `samples`: precision with the roles swapped."""
    return precision(real, samples, k=k)


def precision_recall_metric(model, request: EvalRequest):
    """Precision and recall of the model's samples against real train images, each with its real floor.

    The two share one draw of samples, the same real images and one pass of classifier features.
    """
    results = compare_with_real(model, request, {"precision": precision, "recall": recall})
    return [r.model_copy(update={"notes": f"k={K} nearest-neighbour radii, {r.notes}"}) for r in results]
