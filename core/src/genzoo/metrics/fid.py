"""Frechet distance between Gaussians fitted to two sets of features (FID on classifier features)."""

from __future__ import annotations

import torch

from genzoo.metrics.base import EvalRequest
from genzoo.metrics.features import compare_with_real


def frechet_distance(a: torch.Tensor, b: torch.Tensor, generator: torch.Generator | None = None) -> float:
    """|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^1/2), in float64.

    tr((S_a S_b)^1/2) is the sum of square roots of the eigenvalues of S_a^1/2 S_b S_a^1/2, a
    symmetric PSD matrix, so eigh suffices (no scipy, no complex sqrtm). `generator` is unused:
    FID is deterministic; it is accepted to share KID's signature.
    """
    a, b = a.double(), b.double()
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = torch.cov(a.T), torch.cov(b.T)
    eigenvalues, eigenvectors = torch.linalg.eigh(cov_a)
    root_a = eigenvectors @ torch.diag(eigenvalues.clamp_min(0).sqrt()) @ eigenvectors.T
    cross = torch.linalg.eigvalsh(root_a @ cov_b @ root_a).clamp_min(0).sqrt().sum()
    return float(((mean_a - mean_b) ** 2).sum() + cov_a.trace() + cov_b.trace() - 2 * cross)


def fid_metric(model, request: EvalRequest):
    """FID of the model's samples against real train images, with the real test-vs-train floor."""
    return compare_with_real(model, request, {"fid": frechet_distance})
