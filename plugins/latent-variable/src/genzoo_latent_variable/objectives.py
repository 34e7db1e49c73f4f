"""How the family trains: the ELBO, its beta-weighted form with KL warm-up, and the IWAE bound.

One step class covers the VAE, the beta-VAE, the conditional VAE and IWAE training, because they
differ only in options: `--set step.beta=4 --set step.kl_warmup_steps=5000` is a beta-VAE with
warm-up, `--set step.k=5` trains the k-sample importance-weighted bound (Burda et al. 2016).
After the last step every autoencoder-type model fits its latent mixture on the training codes.
"""

from __future__ import annotations

import torch
from pydantic import Field, model_validator

from genzoo.plugin import Batch, FitData, TrainingStep, log_mean_exp

ENCODE_BATCH = 1000


class FitsLatentMixture(TrainingStep):
    """Base step of autoencoder-type models: fit `model.latent_mixture` on the training codes at the end."""

    def finish(self, model, data: FitData) -> dict[str, float]:
        if model.latent_mixture is None:
            return {}
        everything = data.all()
        was_training = model.training
        model.eval()
        xs = everything.x.split(ENCODE_BATCH)
        labels = everything.label.split(ENCODE_BATCH) if model.conditional else [None] * len(xs)
        with torch.no_grad():
            codes = torch.cat([model.encode(x, condition=y) for x, y in zip(xs, labels)])
        model.train(was_training)
        fit = model.latent_mixture.fit(codes, generator=torch.Generator().manual_seed(0))
        return {"latent_mixture_log_likelihood": fit.log_likelihood}


class ELBOStep(FitsLatentMixture):
    """Maximise the ELBO (k=1, optionally beta-weighted and warmed up) or the k-sample IWAE bound."""

    k: int = Field(1, ge=1, description="Importance samples; k > 1 trains the IWAE bound instead of the ELBO.")
    beta: float = Field(1.0, ge=0, description="Weight of the KL term (beta-VAE).")
    kl_warmup_steps: int = Field(0, ge=0, description="Raise the KL weight linearly from 0 to beta over this many steps.")

    @model_validator(mode="after")
    def _iwae_is_plain(self):
        if self.k > 1 and (self.beta != 1.0 or self.kl_warmup_steps):
            raise ValueError("the IWAE bound (k > 1) has no separate KL term: use beta=1 and no kl_warmup_steps")
        return self

    def kl_weight(self, step: int) -> float:
        if not self.kl_warmup_steps:
            return self.beta
        return self.beta * min(1.0, (step + 1) / self.kl_warmup_steps)

    def loss(self, model, batch: Batch, group: str, state: dict) -> dict[str, torch.Tensor]:
        condition = batch.label if model.conditional else None
        if self.k > 1:
            log_weights = model.log_weights(batch.x, self.k, condition)
            bound = log_mean_exp(log_weights, dim=0).mean()
            return {"loss": -bound, "iwae": bound}
        reconstruction, kl = model.elbo(batch.x, condition)
        reconstruction, kl = reconstruction.mean(), kl.mean()
        return {"loss": self.kl_weight(batch.step) * kl - reconstruction, "recon": -reconstruction, "kl": kl,
                "elbo": reconstruction - kl}


class BetaELBOStep(ELBOStep):
    """The beta-VAE: ELBOStep with beta = 4 by default (Higgins et al. 2017)."""

    beta: float = Field(4.0, ge=0, description="Weight of the KL term.")
