"""How the explicit-likelihood family trains: minimise the exact negative log-likelihood."""

from __future__ import annotations

from genzoo.plugin import Batch, TrainingStep


class NLLStep(TrainingStep):
    """Maximum likelihood by gradient descent; the loss is in nats per example."""

    def loss(self, model, batch: Batch, group: str, state: dict):
        nll = -model.log_prob(batch.x, condition=batch.label).mean()
        return {"loss": nll}
