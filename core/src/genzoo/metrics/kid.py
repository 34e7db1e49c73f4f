"""Kernel Inception Distance on classifier features: an unbiased MMD^2 with a cubic polynomial kernel.

Unlike FID it has no bias at small n, which matters for the 360-image digits test split. The
value is the raw MMD^2, not multiplied by 1000 as in the KID papers' tables (and on these features,
not Inception's, it is not comparable with published KID anyway); cards say so beside it.
"""

from __future__ import annotations

import torch

from genzoo.metrics.base import EvalRequest
from genzoo.metrics.features import compare_with_real

SUBSETS = 100
SUBSET_SIZE = 1000


def polynomial_mmd2(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Unbiased MMD^2 with k(x, y) = (x.y / d + 1)^3 between equally sized sets."""
    d = a.shape[1]
    k_aa, k_bb, k_ab = ((a @ a.T) / d + 1) ** 3, ((b @ b.T) / d + 1) ** 3, ((a @ b.T) / d + 1) ** 3
    m = len(a)
    off_diagonal = (k_aa.sum() - k_aa.trace() + k_bb.sum() - k_bb.trace()) / (m * (m - 1))
    return off_diagonal - 2 * k_ab.mean()


def kernel_inception_distance(a: torch.Tensor, b: torch.Tensor, generator: torch.Generator | None = None) -> float:
    """Mean unbiased MMD^2 over SUBSETS random subsets of min(SUBSET_SIZE, n) of each set (as in Binkowski et al.).

    When the subsets are the whole sets every subset gives the same value, so it is computed once.
    """
    a, b = a.double(), b.double()
    size = min(SUBSET_SIZE, len(a), len(b))
    subsets = 1 if size == len(a) == len(b) else SUBSETS
    values = [
        polynomial_mmd2(a[torch.randperm(len(a), generator=generator)[:size]],
                        b[torch.randperm(len(b), generator=generator)[:size]])
        for _ in range(subsets)
    ]
    return float(torch.stack(values).mean())


def kid_metric(model, request: EvalRequest):
    """KID of the model's samples against real train images, with the real test-vs-train floor."""
    return compare_with_real(model, request, {"kid": kernel_inception_distance})
