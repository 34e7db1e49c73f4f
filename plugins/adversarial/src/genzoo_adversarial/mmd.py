"""Maximum mean discrepancy with a mixture of RBF kernels: the training signal of a moment matching network.

MMD^2(P, Q) = E k(x, x') + E k(y, y') - 2 E k(x, y) is zero exactly when P = Q for a characteristic
kernel such as the Gaussian. One bandwidth only sees structure at its own scale (too small: every
pair looks unrelated, too large: every pair looks alike), so Li et al. (2015) sum several:
k(x, y) = sum_s exp(-|x - y|^2 / (2 s^2)).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def rbf_mixture_kernel(a: torch.Tensor, b: torch.Tensor, bandwidths: Sequence[float]) -> torch.Tensor:
    """The (len(a), len(b)) matrix of sum_s exp(-|a_i - b_j|^2 / (2 s^2)) over flattened examples.

    Squared distances are expanded (|a|^2 + |b|^2 - 2 a.b) rather than taken from cdist: cdist's square
    root has an infinite gradient at the zero distances on the diagonal of k(x, x).
    """
    a, b = a.flatten(1), b.flatten(1)
    squared = (a.square().sum(1, keepdim=True) + b.square().sum(1) - 2 * a @ b.T).clamp_min(0)
    return sum(torch.exp(-squared / (2 * s * s)) for s in bandwidths)


def unbiased_mmd2(x: torch.Tensor, y: torch.Tensor, bandwidths: Sequence[float]) -> torch.Tensor:
    """The unbiased estimate of MMD^2 between samples x (m examples) and y (n examples).

    Within-set averages leave out the diagonal k(x_i, x_i) (Gretton et al. 2012, eq. 3), so the
    estimate can dip below zero when the two distributions are equal; it is differentiable in both.
    """
    m, n = len(x), len(y)
    if m < 2 or n < 2:
        raise ValueError(f"the unbiased MMD^2 needs at least 2 examples per set, got {m} and {n}")
    k_xx, k_yy, k_xy = (rbf_mixture_kernel(a, b, bandwidths) for a, b in ((x, x), (y, y), (x, y)))
    within_x = (k_xx.sum() - k_xx.diagonal().sum()) / (m * (m - 1))
    within_y = (k_yy.sum() - k_yy.diagonal().sum()) / (n * (n - 1))
    return within_x + within_y - 2 * k_xy.mean()
