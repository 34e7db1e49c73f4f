"""StackGAN's two extra loss terms, as small pure functions (checked by hand in tests/test_stackgan.py).

- The conditioning-augmentation regulariser: KL(N(mu, diag(sigma^2)) || N(0, I)), summed over the code's
  dimensions and averaged over the batch (nats per example), weighted by lambda in the generator's loss.
- The matching-aware discriminator loss (Reed et al. 2016's GAN-CLS, which StackGAN's discriminators use): a real
  image with its own label is real; a generated image, and a real image paired with a wrong label, are fake, the
  two fake terms sharing the weight of one:
      J_D = E[-log D(x, y)] + 1/2 (E[-log(1 - D(G(z, c), y))] + E[-log(1 - D(x, y'))]),   y' != y.
  Without the mismatched pairs D could judge realness alone and let the generator ignore the label.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from genzoo.plugin import normal_kl

from genzoo_adversarial.noise import uniform


def conditioning_kl(mu: torch.Tensor, log_sigma: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, sigma^2) || N(0, 1)) summed over dimension 1, averaged over the batch."""
    zero = torch.zeros_like(mu)
    return normal_kl(mu, 2 * log_sigma, zero, zero).sum(dim=1).mean()


def matching_aware_discriminator_loss(real_logits: torch.Tensor, wrong_logits: torch.Tensor,
                                      fake_logits: torch.Tensor) -> torch.Tensor:
    """J_D above from the logits of (real, its label), (real, a wrong label) and (fake, its label)."""
    return F.softplus(-real_logits).mean() + 0.5 * (F.softplus(fake_logits).mean() + F.softplus(wrong_logits).mean())


def mismatched_labels(labels: torch.Tensor, num_classes: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """For each label y a label drawn uniformly from the other num_classes - 1 classes: (y + k) mod C,
    k uniform in 1 .. C-1. (The paper's code pairs each image with its neighbour's text, which may match.)"""
    shift = 1 + (uniform(tuple(labels.shape), generator, labels.device) * (num_classes - 1)).long()
    return (labels + shift.clamp(max=num_classes - 1)) % num_classes
