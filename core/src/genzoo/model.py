"""The interfaces every genzoo model implements.

`GenerativeModel` is an `nn.Module` holding a validated config. What a model can do is declared
by its architecture spec's capabilities and exposed through small interfaces:

- Generator: `sample(n, *, condition=None, generator=None, sampler=None, **options)`, which hands
  off to a registered Sampler, so samplers can be swapped on any checkpoint (like diffusers'
  schedulers). Models sampled by the built-in `ancestral` sampler implement `generate`.
- Encoder: `encode(x)` and `decode(z)`.
- Likelihood: `log_prob(x) -> nats per example`; `log_prob_is_exact` says whether it is exact
  (capability `log_prob`) or a lower bound (capability `log_prob_bound`).
- Trainer: see `genzoo.training`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import torch
from torch import nn

from genzoo.capabilities import Capability
from genzoo.config import ModelConfig
from genzoo.dataspec import DataSpec
from genzoo.errors import CapabilityError, GenzooError
from genzoo.specs import ArchitectureSpec

Condition = torch.Tensor | Sequence[int] | int | None


class GenerativeModel(nn.Module):
    """Base class of every genzoo model: a config, a DataSpec and capability-checked sampling."""

    config_class: ClassVar[type[ModelConfig]] = ModelConfig

    def __init__(self, config: ModelConfig):
        super().__init__()
        if not isinstance(config, self.config_class):
            raise TypeError(f"{type(self).__name__} needs a {self.config_class.__name__}, got {type(config).__name__}")
        self.config = config
        self._spec: ArchitectureSpec | None = None

    # -- identity --------------------------------------------------------------------------
    @property
    def data_spec(self) -> DataSpec:
        return self.config.data

    @property
    def spec(self) -> ArchitectureSpec:
        """The architecture spec: set by genzoo.create/load, else found by this class's import path."""
        if self._spec is None:
            from genzoo.registry import get_registry

            self._spec = get_registry().architecture_for_class(type(self))
            if self._spec is None:
                raise GenzooError(f"{type(self).__name__} is not a registered architecture; build it with genzoo.create")
        return self._spec

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset(self.spec.capabilities)

    @property
    def log_prob_is_exact(self) -> bool:
        return Capability.LOG_PROB in self.capabilities

    @property
    def device(self) -> torch.device:
        for tensor in self.parameters():
            return tensor.device
        for tensor in self.buffers():
            return tensor.device
        return torch.device("cpu")

    # -- Generator -------------------------------------------------------------------------
    @torch.no_grad()
    def sample(
        self,
        n: int,
        *,
        condition: Condition = None,
        generator: torch.Generator | None = None,
        sampler: str | None = None,
        **options: Any,
    ) -> torch.Tensor:
        """Draw `n` examples shaped `(n, *data_spec.shape)` with the named (or default) sampler."""
        from genzoo.sampling import get_sampler

        if n < 1:
            raise GenzooError(f"number of samples must be at least 1, got {n}")
        strategy = get_sampler(sampler or self.spec.default_sampler, self)
        labels = self.prepare_condition(condition, n)
        was_training = self.training
        self.eval()
        try:
            return strategy(self, n, condition=labels, generator=generator, **options)
        finally:
            self.train(was_training)

    def balanced_condition(self, n: int) -> torch.Tensor | None:
        """Labels 0, 1, ..., C-1, 0, 1, ... (every class equally often) for a conditional model, else None.

        What previews, sample grids and sample-quality metrics condition on when no labels are given.
        """
        classes = self.data_spec.num_classes
        if Capability.CONDITIONAL not in self.capabilities or not classes:
            return None
        return torch.arange(n, device=self.device) % classes

    def prepare_condition(self, condition: Condition, n: int) -> torch.Tensor | None:
        """Check class labels against the DataSpec and return a LongTensor of length n (or None)."""
        if condition is None:
            return None
        if Capability.CONDITIONAL not in self.capabilities:
            raise CapabilityError(f"{self.spec.name!r} is not conditional; drop the condition")
        labels = torch.as_tensor(condition, dtype=torch.long, device=self.device).reshape(-1)
        if labels.numel() == 1:
            labels = labels.expand(n).clone()
        if labels.numel() != n:
            raise CapabilityError(f"got {labels.numel()} condition labels for {n} samples")
        classes = self.data_spec.num_classes
        if classes is not None and (labels.min() < 0 or labels.max() >= classes):
            raise CapabilityError(f"condition labels must be in [0, {classes - 1}]")
        return labels


@runtime_checkable
class Generator(Protocol):
    def sample(self, n: int, *, condition: Condition = None, generator: torch.Generator | None = None,
               sampler: str | None = None, **options: Any) -> torch.Tensor: ...


@runtime_checkable
class Encoder(Protocol):
    def encode(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor: ...

    def decode(self, z: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor: ...


@runtime_checkable
class Likelihood(Protocol):
    """`log_prob` returns log p(x) (or a lower bound) in nats, one value per example."""

    log_prob_is_exact: bool

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor: ...
