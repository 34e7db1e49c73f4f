"""PixelDTGAN's objective (Yoo et al. 2016, sec. 3): a real/fake game and a domain (association) game.

With s a source image (a dressed person; here a cluttered scene), y its associated target (the
garment; here the clean digit), y- the target of another source (unassociated) and C(s) the
converter's output, each discriminator's loss is a sum of log-losses, one per kind of input:

  D_R (real/fake):  E[-log D_R(y)] + E[-log(1 - D_R(C(s)))]
                    the paper counts every real target as real, associated or not; here the
                    unassociated targets are the batch's own targets shifted by one, so they are
                    the same images as the associated ones and the real term is E[-log D_R(y)].
  D_A (domain):     E[-log D_A(s, y)] + E[-log(1 - D_A(s, y-))] + E[-log(1 - D_A(s, C(s)))]
                    only the associated pair is positive: a real but unrelated target is negative,
                    which is what makes the converter keep the source's content.
  C (converter):    E[-log D_R(C(s))] + E[-log D_A(s, C(s))]    (both non-saturating, summed)
                    + l1_weight * E|C(s) - y|   (0 in the paper, which dropped its pixel-wise MSE
                    baseline because it blurs; the L1 term is this package's ablation)

Each expectation is a mean over the batch; the sums follow the reference implementations, which
back-propagate the terms one by one. Logits throughout (softplus, never log(sigmoid)); every function
is checked against a hand computation in tests/test_domain_transfer_losses.py.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from genzoo_adversarial.losses import absolute_error, non_saturating_generator_loss


def domain_discriminator_loss(associated: torch.Tensor, unassociated: torch.Tensor,
                              converted: torch.Tensor) -> torch.Tensor:
    """E[-log D_A(s, y)] + E[-log(1 - D_A(s, y-))] + E[-log(1 - D_A(s, C(s)))], from D_A's logits."""
    return F.softplus(-associated).mean() + F.softplus(unassociated).mean() + F.softplus(converted).mean()


def converter_loss(real_fake_logits: torch.Tensor | None, domain_logits: torch.Tensor | None, output: torch.Tensor,
                   target: torch.Tensor, adversarial_weight: float = 1.0,
                   l1_weight: float = 0.0) -> dict[str, torch.Tensor]:
    """{"loss": a (E[-log D_R(C(s))] + E[-log D_A(s, C(s))]) + lambda E|C(s) - y|, and each term detached}.

    The L1 distance is always reported (a fidelity reading even when it is not trained on); with a = 0 the
    discriminators are not needed and their logits may be None.
    """
    l1 = absolute_error(output, target)
    losses = {"l1": l1.detach()}
    total = l1_weight * l1
    if adversarial_weight > 0:
        real_fake = non_saturating_generator_loss(real_fake_logits)
        domain = non_saturating_generator_loss(domain_logits)
        total = total + adversarial_weight * (real_fake + domain)
        losses |= {"real_fake": real_fake.detach(), "domain": domain.detach()}
    return {"loss": total, **losses}
