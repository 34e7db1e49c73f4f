"""The hooks a family implements to make an architecture trainable.

An architecture's `ArchitectureSpec.trainer` names a subclass of one of these. The family says
*what* to compute; core runs the loop (optimizers, schedule, clipping, EMA, seeding, logging,
checkpoints, resume, DDP):

- `TrainingStep`: gradient training. `loss(model, batch, group)` returns a dict of scalar tensors
  with a "loss" entry to minimise. Adversarial families declare several parameter `groups` (one
  optimizer each) and say in `updates(step)` which groups update, in which order, each on its own
  batch: `("critic",) * n_critic + ("generator",)`.
- `FitStep`: non-gradient fitting (EM, closed form, contrastive divergence): `fit(model, data, log)`.

Both are pydantic models: their fields are the family's own training options (`n_critic`,
`gp_weight`, ...), validated like every other config and set with `--set step.n_critic=5`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import torch
    from torch import nn


class Batch(NamedTuple):
    """One batch on the training device: examples, their class labels (None when unlabelled) and
    the training step it is used at (for schedules such as a KL warm-up; 0 outside gradient training)."""

    x: torch.Tensor
    label: torch.Tensor | None
    step: int = 0


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrainingStep(_Step):
    """Gradient training: subclass, add option fields, implement `loss`."""

    groups: ClassVar[tuple[str, ...]] = ("model",)

    def parameters(self, model: nn.Module, group: str) -> Iterable[nn.Parameter]:
        """The parameters the optimizer of `group` updates (all of them for a single group)."""
        return model.parameters()

    def updates(self, step: int) -> Sequence[str]:
        """The groups updated at training step `step`, in order; each consumes one batch."""
        return self.groups

    def loss(self, model: nn.Module, batch: Batch, group: str) -> dict[str, torch.Tensor]:
        """Scalar tensors to log; "loss" is the one minimised for `group`."""
        raise NotImplementedError

    def finish(self, model: nn.Module, data: FitData) -> dict[str, float]:
        """Runs once after the last gradient step, on the weights that get exported (the EMA when on).

        For fits that need the trained network, such as a Gaussian mixture on an autoencoder's
        training codes or a partition-function estimate; changes to the model's buffers are saved.
        Every process runs it, so it must be deterministic (use `data.all()`, or a seeded generator).
        Returns values to log.
        """
        return {}


class FitData:
    """What a `FitStep` sees of the training set: epochs of batches, or all of it at once."""

    def __init__(self, epoch: Callable[[int], Iterator[Batch]], everything: Callable[[], Batch]):
        self._epoch = epoch
        self._everything = everything

    def batches(self, epoch: int = 0) -> Iterator[Batch]:
        """One shuffled pass over the data (the order is fixed by the run's seed and `epoch`)."""
        return self._epoch(epoch)

    def all(self) -> Batch:
        """The whole training split stacked into one batch on the training device."""
        return self._everything()


class FitStep(_Step):
    """Non-gradient training: subclass and implement `fit`; core saves, logs and samples around it."""

    def fit(self, model: nn.Module, data: FitData, log: Callable[[int, dict[str, Any]], None]) -> None:
        """Fit `model` in place; call `log(iteration, {"name": value, ...})` to record progress."""
        raise NotImplementedError
