"""The exact area under the ROC curve, from ranks, with ties counted half.

AUROC = P(score of a random anomaly > score of a random normal example) + 1/2 P(equal): the
Mann-Whitney U statistic divided by (anomalies x normals). Tied scores share their average rank,
which is what gives the 1/2; no thresholds are swept, so the value is exact.
"""

from __future__ import annotations

import torch


def auroc(scores: torch.Tensor, is_anomaly: torch.Tensor) -> float:
    """AUROC of `scores` (higher = more anomalous) for the boolean labels `is_anomaly`."""
    scores, is_anomaly = scores.double().flatten(), is_anomaly.bool().flatten()
    if len(scores) != len(is_anomaly):
        raise ValueError(f"{len(scores)} scores but {len(is_anomaly)} labels")
    if not torch.isfinite(scores).all():
        raise ValueError("anomaly scores contain NaN or inf")
    anomalies, normals = int(is_anomaly.sum()), int((~is_anomaly).sum())
    if anomalies == 0 or normals == 0:
        raise ValueError(f"AUROC needs anomalies and normal examples, got {anomalies} and {normals}")
    values, group, counts = torch.unique(scores, return_inverse=True, return_counts=True)
    last_rank = counts.cumsum(0).double()  # ranks start at 1: a group of c equal scores holds ranks last-c+1..last
    average_rank = last_rank - (counts.double() - 1) / 2
    rank_sum = average_rank[group][is_anomaly].sum()
    u = rank_sum - anomalies * (anomalies + 1) / 2
    return float(u / (anomalies * normals))
