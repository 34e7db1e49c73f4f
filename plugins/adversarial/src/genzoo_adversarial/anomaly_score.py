"""AnoGAN's anomaly score (Schlegl et al. 2017): how well a GAN trained on normal data can reproduce an input.

A generator trained only on normal images can draw something close to any normal image but not to
an anomaly. For each input x we search the latent space for the z whose image G(z) is closest,
with Adam on z, minimising

    L(z) = (1 - weight) * |x - G(z)|_1  +  weight * |f(x) - f(G(z))|_1

where f is an intermediate layer of the discriminator (the paper's "discrimination loss" in its
feature-matching form). The score is L at the last z: high for anomalies. The paper's weight is 0.1.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from genzoo_adversarial.noise import normal

Network = Callable[[torch.Tensor], torch.Tensor]


def anogan_loss(x: torch.Tensor, reconstruction: torch.Tensor, x_features: torch.Tensor,
                reconstruction_features: torch.Tensor, weight: float) -> torch.Tensor:
    """Per example: (1 - weight) * residual L1 + weight * discrimination (feature) L1."""
    residual = (x - reconstruction).abs().flatten(1).sum(1)
    discrimination = (x_features - reconstruction_features).abs().flatten(1).sum(1)
    return (1 - weight) * residual + weight * discrimination


def latent_search_scores(x: torch.Tensor, generate: Network, features: Network, latent_dim: int, *, steps: int,
                         lr: float, weight: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """The anomaly score of each example of `x`, after `steps` Adam steps on its own latent code.

    The batch is searched at once: the summed loss gives each example's code only its own gradient,
    and Adam scales every coordinate on its own, so this equals one search per example. Only z is
    differentiated: the networks' weights and their .grad are left untouched (put them in eval mode).
    """
    z = normal((len(x), latent_dim), generator, x.device).requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr)
    with torch.no_grad():
        x_features = features(x)
    with torch.enable_grad():
        for _ in range(steps):
            reconstruction = generate(z)
            loss = anogan_loss(x, reconstruction, x_features, features(reconstruction), weight).sum()
            (z.grad,) = torch.autograd.grad(loss, z)  # the gradient of z alone: no .grad left on the weights
            optimizer.step()
    with torch.no_grad():
        reconstruction = generate(z)
        return anogan_loss(x, reconstruction, x_features, features(reconstruction), weight)
