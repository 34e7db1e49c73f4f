"""pix2pix's objective (Isola et al. 2017, eq. 4): a conditional GAN plus lambda times an L1 distance to the target.

    L_cGAN(G, D) = E[log D(s, y)] + E[log(1 - D(s, G(s)))]      D sees the source s with the image
    G* = arg min_G max_D L_cGAN(G, D) + lambda E[|y - G(s)|_1]   lambda = 100 in the paper

The discriminator is a PatchGAN, so D(s, y) is a map of logits, one per patch, and each
expectation is also a mean over the patches. As in the paper, the discriminator's loss is halved
("we divide the objective by 2 while optimizing D, which slows down the rate at which D learns
relative to G"), and the generator takes the non-saturating loss -log D(s, G(s)). The L1 term is a
mean over pixels (the reference's nn.L1Loss), so lambda weighs a per-pixel error against a per-patch
log-loss. Every function is checked against a hand computation in tests/test_paired_losses.py.
"""

from __future__ import annotations

import torch

from genzoo_adversarial.losses import absolute_error as l1_distance  # E|y - G(s)|
from genzoo_adversarial.losses import discriminator_loss, non_saturating_generator_loss

L1_WEIGHT = 100.0  # the paper's lambda


def pix2pix_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """(E[-log D(s, y)] + E[-log(1 - D(s, G(s)))]) / 2, means over examples and patches."""
    return discriminator_loss(real_logits, fake_logits) / 2



def pix2pix_generator_loss(fake_logits: torch.Tensor | None, output: torch.Tensor, target: torch.Tensor,
                           l1_weight: float = L1_WEIGHT, adversarial_weight: float = 1.0) -> dict[str, torch.Tensor]:
    """{"loss": a E[-log D(s, G(s))] + lambda E|y - G(s)|, "adversarial": E[-log D(s, G(s))], "l1": E|y - G(s)|}.

    a = 0 (the paper's "L1 alone" ablation) needs no discriminator: `fake_logits` may then be None.
    """
    l1 = l1_distance(output, target)
    if adversarial_weight == 0:
        return {"loss": l1_weight * l1, "l1": l1.detach()}
    adversarial = non_saturating_generator_loss(fake_logits)
    return {"loss": adversarial_weight * adversarial + l1_weight * l1, "adversarial": adversarial.detach(),
            "l1": l1.detach()}
