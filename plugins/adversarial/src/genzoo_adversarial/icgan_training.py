"""IcGAN's encoder training (Perarnau et al. 2016, the "IND" scheme: two independent encoders).

Each step updates two groups, each with its own Adam and batch:
- `latent_encoder`: E_z on generated pairs. z ~ N(0, I) and y uniform over the classes, x' = G(z, y) from
  the frozen generator, loss ||E_z(x') - z||^2 (squared L2 norm per example, averaged over the batch). The
  batch's real images are not used: only generated images have a known z.
- `label_encoder`: E_y on the batch's real labelled images, cross-entropy (the paper used real attribute
  labels too; MNIST's labels are one class, hence a softmax rather than per-attribute sigmoids).

Before the first step the generator is copied from the cGAN named by `model.cgan` (`init_state`). The copy
happens after the trainer set up its weight average, so leave train.ema_decay off (its default): an average
would hold the generator's random start (the encoders are plain regressions and need no average).
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch.nn import functional as F

from genzoo.plugin import Batch, ConfigError, TrainingStep

from genzoo_adversarial.icgan import ICGAN

LATENT_ENCODER, LABEL_ENCODER = "latent_encoder", "label_encoder"


def latent_regression_loss(predicted: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """||predicted - z||^2 per example, averaged over the batch (IcGAN's E_z loss)."""
    return (predicted - z).square().sum(1).mean()


class EncoderStep(TrainingStep):
    """E_z by L2 on generated (z, y) -> G(z, y) pairs, E_y by cross-entropy on real labelled images."""

    groups: ClassVar[tuple[str, ...]] = (LATENT_ENCODER, LABEL_ENCODER)
    # IcGAN trained its encoders with Adam (lr 2e-4, beta1 0.5), as its cGAN; the weights are never averaged.
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = {
        group: {"lr": 2e-4, "betas": (0.5, 0.999), "ema": False} for group in (LATENT_ENCODER, LABEL_ENCODER)}

    def parameters(self, model: ICGAN, group: str):
        return getattr(model, group).parameters()

    def init_state(self, model: ICGAN) -> dict[str, torch.Tensor]:
        """Copy the cGAN's generator into the model (none named: keep the model's own, as tests do)."""
        if model.config.cgan is not None:
            import genzoo

            model.load_generator(genzoo.load(model.config.cgan, device=model.device))
        return {}

    def loss(self, model: ICGAN, batch: Batch, group: str, state) -> dict[str, torch.Tensor]:
        if group == LATENT_ENCODER:
            n = len(batch.x)
            z = model.sample_latent(n)
            y = torch.randint(model.num_label_classes, (n,), device=model.device)
            with torch.no_grad():
                generated = model.fake(z, y)
            return {"loss": latent_regression_loss(model.encode_latent(generated), z)}
        if batch.label is None:
            raise ConfigError("IcGAN's label encoder needs labelled data (a dataset with num_classes)")
        logits = model.label_logits(batch.x)
        accuracy = (logits.argmax(1) == batch.label).float().mean()
        return {"loss": F.cross_entropy(logits, batch.label), "accuracy": accuracy.detach()}
