"""The hooks a family implements to make an architecture trainable.

`ArchitectureSpec.trainers` names subclasses of these ({"elbo": ..., "beta": ...}; the first is
the default, `genzoo train ARCH --trainer NAME` picks another). The family says *what* to compute;
core runs the loop (optimizers, schedules, clipping, EMA, seeding, logging, checkpoints, resume, DDP):

- `TrainingStep`: gradient training. `loss(model, batch, group, state)` returns a dict of scalar
  tensors with a "loss" entry to minimise. Adversarial families declare several parameter `groups`
  (one optimizer each, configured per group with `--set train.groups.NAME.lr=...`), say in
  `updates(step)` which groups update, in which order, each on its own batch (`("critic",) *
  n_critic + ("generator",)`), and may act right after a group's update in `after_update` (weight
  clipping). `state` is a dict of tensors shared by the updates of a run (CycleGAN's latest
  fakes, an image pool), created by `init_state` and checkpointed with the run.
- `FitStep`: non-gradient fitting (EM, closed form, contrastive divergence): `fit(model, data, log)`.

Both are pydantic models: their fields are the family's own training options (`n_critic`,
`gp_weight`, ...), validated like every other config and set with `--set step.n_critic=5`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import torch
    from torch import nn

StepState = dict[str, "torch.Tensor"]


class Batch(Mapping[str, "torch.Tensor"]):
    """One batch on the training device: named tensor fields and the training step it is used at.

    Fields come from the dataset: "x" and "label" for `(x, label)` items, the item's own keys for
    dict items (`batch["target"]`), one field per stream of an unpaired dataset. Fields read as
    attributes too (`batch.x`); `batch.label` is None when the data have no labels. `step` feeds
    schedules such as a KL warm-up (0 outside gradient training). `Batch(x, label)` builds the
    common two-field batch.
    """

    __slots__ = ("_fields", "step")

    def __init__(self, fields: Mapping[str, torch.Tensor] | torch.Tensor, label: torch.Tensor | None = None,
                 step: int = 0):
        if isinstance(fields, Mapping):
            if label is not None:
                raise TypeError("Batch(fields, label): give the label as a field of the mapping")
            values = dict(fields)
        else:
            values = {"x": fields} if label is None else {"x": fields, "label": label}
        object.__setattr__(self, "_fields", values)
        object.__setattr__(self, "step", step)

    def __getitem__(self, name: str) -> torch.Tensor:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __getattr__(self, name: str) -> torch.Tensor | None:
        fields = object.__getattribute__(self, "_fields")
        if name in fields:
            return fields[name]
        if name == "label":
            return None
        raise AttributeError(f"this batch has no field {name!r}; its fields are {sorted(fields)}")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Batch is immutable; use batch.replace(...)")

    def __reduce__(self):  # pickling and copying rebuild it through __init__ (no attribute setting)
        return Batch, (self._fields, None, self.step)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}={tuple(v.shape)}:{str(v.dtype).removeprefix('torch.')}" for k, v in self._fields.items())
        return f"Batch({shapes}, step={self.step})"

    @property
    def fields(self) -> dict[str, torch.Tensor]:
        """The named tensors (a copy: the batch itself does not change)."""
        return dict(self._fields)

    def replace(self, *, step: int | None = None, **fields: torch.Tensor | None) -> Batch:
        """A batch with some fields (None drops one) or the step changed."""
        values = {**self._fields, **fields}
        return Batch({k: v for k, v in values.items() if v is not None}, step=self.step if step is None else step)


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TrainingStep(_Step):
    """Gradient training: subclass, add option fields, implement `loss`."""

    groups: ClassVar[tuple[str, ...]] = ("model",)
    # Suggested optimizer settings per group, e.g. {"generator": {"lr": 2e-4, "betas": (0.5, 0.999)}}.
    # Precedence: the run's `train.groups.NAME` > these > the run's top-level `train.*` settings.
    # A group's `ema: False` keeps it out of the weight average (a GAN's discriminator).
    group_defaults: ClassVar[dict[str, dict[str, Any]]] = {}

    def parameters(self, model: nn.Module, group: str) -> Iterable[nn.Parameter]:
        """The parameters the optimizer of `group` updates (all of them for a single group)."""
        return model.parameters()

    def updates(self, step: int) -> Sequence[str]:
        """The groups updated at training step `step`, in order; each consumes one batch."""
        return self.groups

    def init_state(self, model: nn.Module) -> StepState:
        """Tensors shared between updates (latest fakes, an image pool, a counter), on the model's
        device. `loss` and `after_update` may change them in place or put new tensors under any key;
        the whole dict is saved with every checkpoint and restored on resume."""
        return {}

    def loss(self, model: nn.Module, batch: Batch, group: str, state: StepState) -> dict[str, torch.Tensor]:
        """Scalar tensors to log; "loss" is the one minimised for `group`."""
        raise NotImplementedError

    def after_update(self, model: nn.Module, group: str, state: StepState) -> None:
        """Runs right after `group`'s optimizer step, under no_grad: weight clipping, a spectral
        norm's power iteration, a count kept in `state`."""

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
    """Non-gradient training: subclass and implement `fit`; core saves, logs and samples around it.

    A fit uses the run's `train.seed`, `batch_size` (for `data.batches`), `device`, `num_workers`
    and sample-grid settings; other `train.*` settings (lr, steps, optimizer, ...) are refused.
    Its own options are its fields: every fit has `max_iterations` and `tolerance`, which an
    iterative fit honours and a closed form ignores. The card says "fitted by {method} in N
    iterations", N being the number of `log` calls.
    """

    method: ClassVar[str] = "closed form"

    max_iterations: int = Field(100, ge=1, description="Stop an iterative fit after this many iterations.")
    tolerance: float = Field(1e-5, ge=0, description="Stop an iterative fit once its objective improves by less.")

    def fit(self, model: nn.Module, data: FitData, log: Callable[[int, dict[str, Any]], None]) -> None:
        """Fit `model` in place; call `log(iteration, {"name": value, ...})` once per iteration."""
        raise NotImplementedError
