"""How well an InfoGAN's categorical code agrees with the real classes, under the best matching of codes to classes.

InfoGAN is unsupervised: code 3 may come to mean digit 7. Its paper reports how well the code
classifies MNIST once each code is named after a class; the fair naming is the one that agrees
most, i.e. a maximum-weight matching on the (code, class) count table. The Hungarian algorithm
(scipy, which scikit-learn and so genzoo already require) finds it exactly; with more codes than
classes the unmatched codes count as wrong.
"""

from __future__ import annotations

import torch
from scipy.optimize import linear_sum_assignment

from genzoo.plugin import CapabilityError, EvalRequest, require_model

from genzoo_adversarial.labelled_test import labelled_test_split


def best_matching_agreement(codes: torch.Tensor, labels: torch.Tensor, num_codes: int,
                            num_classes: int) -> tuple[float, dict[int, int]]:
    """(share of examples whose code is matched to their class, {code: class}) under the best matching."""
    counts = torch.zeros(num_codes, num_classes, dtype=torch.long)
    counts.index_put_((codes.long().cpu(), labels.long().cpu()), torch.ones(len(codes), dtype=torch.long),
                      accumulate=True)
    rows, cols = linear_sum_assignment(counts.numpy(), maximize=True)
    matched = int(counts[torch.as_tensor(rows), torch.as_tensor(cols)].sum())
    return matched / len(codes), {int(r): int(c) for r, c in zip(rows, cols)}


@torch.no_grad()
def code_agreement_metric(model, request: EvalRequest):
    """The categorical code that the Q head infers for each real test image, against its label."""
    model = require_model(model, "code-agreement")
    if not callable(getattr(model, "infer_category", None)):
        raise CapabilityError(f"{model.name!r} has no categorical code to infer (it is not an InfoGAN)")
    x, y, classes = labelled_test_split(model, request)
    codes = torch.cat([model.infer_category(xb.to(model.device)).cpu() for xb in x.split(request.batch_size)])
    value, matching = best_matching_agreement(codes, y, model.config.categories, classes)
    named = ", ".join(f"{code}->{label}" for code, label in sorted(matching.items()))
    notes = f"argmax of Q(c|x) on n={len(x)} real test images, best code-to-class matching ({named})"
    return [request.result("code-agreement", value, notes=notes)]
