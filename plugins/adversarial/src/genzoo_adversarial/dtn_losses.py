"""DTN's losses (Taigman et al. 2017) as small pure functions, each checked by hand in tests/test_dtn_losses.py.

G = g o f renders both domains: D sees three kinds of image and says which it is, class 0 =
G(x) of a source image, 1 = G(x) of a target image, 2 = a real target image. The generator wants
both of its kinds read as class 2. Beside the game: f-constancy (f(G(x)) should be f(x) for
source x: what makes the output keep the input's content), the target identity loss (TID: G
leaves a target image as it is; cycle_losses.squared_error) and total variation (smoothness).
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from genzoo_adversarial.cycle_losses import squared_error as target_identity_loss  # noqa: F401  (L_TID)

FROM_SOURCE, FROM_TARGET, REAL = 0, 1, 2  # the three-way discriminator's classes


def _cross_entropy(logits: torch.Tensor, label: int) -> torch.Tensor:
    return F.cross_entropy(logits, torch.full((len(logits),), label, dtype=torch.long, device=logits.device))


def three_way_discriminator_loss(source_fake_logits: torch.Tensor, target_fake_logits: torch.Tensor,
                                 real_logits: torch.Tensor) -> torch.Tensor:
    """L_D = E_s[-log D_1(G(x))] + E_t[-log D_2(G(x))] + E_t[-log D_3(x)]: softmax cross-entropy of each
    batch of (n, 3) logits with its own class, a mean per kind, the three summed."""
    return (_cross_entropy(source_fake_logits, FROM_SOURCE) + _cross_entropy(target_fake_logits, FROM_TARGET)
            + _cross_entropy(real_logits, REAL))


def three_way_generator_loss(source_fake_logits: torch.Tensor, target_fake_logits: torch.Tensor) -> torch.Tensor:
    """L_GANG = E_s[-log D_3(G(x))] + E_t[-log D_3(G(x))]: both kinds of rendering should pass as real targets."""
    return _cross_entropy(source_fake_logits, REAL) + _cross_entropy(target_fake_logits, REAL)


def f_constancy_loss(features: torch.Tensor, translated_features: torch.Tensor) -> torch.Tensor:
    """L_CONST = E[d(f(x), f(G(x)))] with d the mean squared difference over f's dimensions (n, d);
    the target f(x) is taken as fixed (f is frozen and x is data, so nothing is lost)."""
    return (translated_features - features.detach()).square().mean()


def total_variation(x: torch.Tensor, exponent: float = 1.0, eps: float = 1e-8) -> torch.Tensor:
    """L_TV = mean over pixels (i, j) with a right and a lower neighbour of
    ((x[i, j+1] - x[i, j])^2 + (x[i+1, j] - x[i, j])^2)^(exponent / 2), the paper's B = exponent = 1;
    eps keeps the gradient of a flat patch finite."""
    right = x[..., :-1, 1:] - x[..., :-1, :-1]
    down = x[..., 1:, :-1] - x[..., :-1, :-1]
    return (right.square() + down.square() + eps).pow(exponent / 2).mean()
