"""The interfaces every genzoo model implements.

`GenerativeModel` is an `nn.Module` holding a validated config. What a model can do is declared
once, on its class (`capabilities`, `default_sampler`), so a model built by hand samples without a
registry lookup; the architecture spec repeats them for listing and the kit checks the two agree.
The small interfaces:

- Generator: `sample(n, *, condition=None, generator=None, sampler=None, **options)`, which hands
  off to a registered Sampler, so samplers can be swapped on any checkpoint (like diffusers'
  schedulers). Models sampled by the built-in `ancestral` sampler implement `generate`.
- Encoder: `encode(x)` and `decode(z)`.
- Likelihood: `log_prob(x) -> nats per example`; `log_prob_is_exact` says whether it is exact
  (capability `log_prob`) or a lower bound (capability `log_prob_bound`).
- Translator: `translate(x, *, generator=None)` maps inputs of `source_spec` to outputs of
  `data_spec` (capability `translate`, e.g. image to image).
- Completion (capability `complete`): the model's samplers take a `prefix` option (observed examples,
  or elements already in the model's order) and `prefix_length` (how many elements, in the model's
  order, are observed) and sample the rest; `genzoo sample --prefix` reads the prefix. Autoregressive
  models have it.
- Text: a model whose samples are token ids of text defines `decode_text(samples) -> list[str]` (and
  `encode_text(text) -> LongTensor` for `--prefix TEXT`); `genzoo sample` prints its samples.
- Trainer: see `genzoo.training`.

Conditions are class labels unless the model declares a `condition_spec` (a DataSpec for vector
or image conditions); `prepare_condition` validates either kind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

import torch
from torch import nn

from genzoo.capabilities import Capability
from genzoo.config import ModelConfig
from genzoo.dataspec import DataSpec
from genzoo.errors import CapabilityError, GenzooError
from genzoo.specs import ArchitectureSpec, SamplingDefaults

Condition = torch.Tensor | Sequence[int] | int | None
REDUCED_PRECISION = (torch.bfloat16, torch.float16)


class GenerativeModel(nn.Module):
    """Base class of every genzoo model: a config, a DataSpec and capability-checked sampling."""

    config_class: ClassVar[type[ModelConfig]] = ModelConfig
    # What the model can do and how it samples by default: declared once, here, by each subclass.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    default_sampler: ClassVar[str | None] = "ancestral"
    # A conditional model whose log_prob(x) with no condition is the exact marginal sum_y p(y) p(x | y), so
    # `genzoo eval --metric nll --likelihood given_label=false` may score it without labels.
    marginalises_labels: ClassVar[bool] = False

    def __init__(self, config: ModelConfig):
        super().__init__()
        if not isinstance(config, self.config_class):
            raise TypeError(f"{type(self).__name__} needs a {self.config_class.__name__}, got {type(config).__name__}")
        self.config = config
        self._spec: ArchitectureSpec | None = None
        # Set by genzoo.load from the checkpoint: the sampler and options its card was measured with.
        self.sampling_defaults: SamplingDefaults | None = None

    # -- identity --------------------------------------------------------------------------
    @property
    def data_spec(self) -> DataSpec:
        return self.config.data

    @property
    def source_spec(self) -> DataSpec | None:
        """What `translate` takes: the config's `source` DataSpec field (translation models declare one,
        so checkpoints record it); None for every other model."""
        source = getattr(self.config, "source", None)
        return source if isinstance(source, DataSpec) else None

    @property
    def condition_spec(self) -> DataSpec | None:
        """A DataSpec for vector or image conditions: the config's `condition` DataSpec field; None (no such
        field) means conditions are class labels checked against `data_spec.num_classes`."""
        condition = getattr(self.config, "condition", None)
        return condition if isinstance(condition, DataSpec) else None

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
    def name(self) -> str:
        """The architecture name when known (create/load), else the class name: for messages."""
        return self._spec.name if self._spec is not None else type(self).__name__

    @property
    def conditional(self) -> bool:
        """Whether the class declares the `conditional` capability (read this, never a second flag)."""
        return Capability.CONDITIONAL in self.capabilities

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

    @property
    def dtype(self) -> torch.dtype:
        """The floating dtype of the weights (float32 unless loaded with dtype=...)."""
        for tensor in [*self.parameters(), *self.buffers()]:
            if tensor.is_floating_point():
                return tensor.dtype
        return torch.float32

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
        """Draw `n` examples shaped `(n, *data_spec.shape)` with the named (or default) sampler.

        With no sampler named, a loaded pretrained model uses the sampler and options its card was
        measured with (`sampling_defaults`), the caller's options overriding them key by key; see
        `sampling_plan`. Samples have the DataSpec's dtype whatever the weights' dtype.
        """
        from genzoo.sampling import get_sampler

        if n < 1:
            raise GenzooError(f"number of samples must be at least 1, got {n}")
        sampler, options = self.sampling_plan(sampler, options)
        if sampler is None:
            raise CapabilityError(f"{self.name!r} has no default sampler; it cannot sample")
        strategy = get_sampler(sampler, self)
        labels = self.prepare_condition(condition, n)
        with self._inference():
            return _full_precision(strategy(self, n, condition=labels, generator=generator, **options))

    def sampling_plan(self, sampler: str | None, options: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """The sampler and options `sample` will use.

        The card's defaults apply when the caller names no sampler or names the card's own sampler:
        its options first, then the caller's on top. Naming another sampler uses the caller's options only.
        """
        defaults = self.sampling_defaults
        if defaults is not None and sampler in (None, defaults.sampler):
            return defaults.sampler, {**defaults.options, **options}
        return sampler or self.default_sampler, dict(options)

    @contextlib.contextmanager
    def _inference(self):
        """Eval mode in the weights' precision for one generating call; the training flag comes back after."""
        was_training = self.training
        self.eval()
        try:
            with self.precision():
                yield
        finally:
            self.train(was_training)

    def card_sampling(self, sampler: str | None, options: dict[str, Any]) -> str | None:
        """"ddim (steps=50, guidance_scale=1.5)" when `sample(sampler=..., **options)` would use the card's
        sampling defaults, else None: what the CLI and the metrics tell users who named no sampler."""
        chosen, chosen_options = self.sampling_plan(sampler, options)
        if self.sampling_defaults is None or chosen != self.sampling_defaults.sampler:
            return None
        described = ", ".join(f"{k}={v}" for k, v in chosen_options.items())
        return chosen + (f" ({described})" if described else "")

    def precision(self) -> contextlib.AbstractContextManager:
        """Autocast to the weights' dtype when they are bfloat16/float16, so float32 noise and buffers mix
        with them; a no-op for float32 models."""
        if self.dtype in REDUCED_PRECISION:
            return torch.autocast(self.device.type, dtype=self.dtype)
        return contextlib.nullcontext()

    def balanced_condition(self, n: int) -> torch.Tensor | None:
        """Labels 0, 1, ..., C-1, 0, 1, ... (every class equally often) for a conditional model, else None.

        What previews, sample grids and sample-quality metrics condition on when no labels are given.
        """
        classes = self.data_spec.num_classes
        if Capability.CONDITIONAL not in self.capabilities or not classes or self.condition_spec is not None:
            return None
        return torch.arange(n, device=self.device) % classes

    def prior_labels(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n class labels drawn from the model's own class prior p(y), so that sampling them and then
        p(x | y) draws from the joint (`genzoo sample --condition prior`). Only models that fit a class
        prior (a class-conditional Gaussian, a mixture with labelled components) override this."""
        raise CapabilityError(f"{self.name!r} has no class prior; give --condition labels")

    def prepare_condition(self, condition: Condition, n: int) -> torch.Tensor | None:
        """Check a condition against the model and return it batched to n (or None).

        Class labels (the default) become a LongTensor of length n checked against
        `data_spec.num_classes`; vector or image conditions (a model with a `condition_spec`) become a
        float tensor `(n, *condition_spec.shape)` checked against that spec's shape and range. One
        label or one condition is repeated n times.
        """
        if condition is None:
            return None
        if Capability.CONDITIONAL not in self.capabilities:
            raise CapabilityError(f"{self.name!r} is not conditional; drop the condition")
        if self.condition_spec is not None:
            return check_inputs(torch.as_tensor(condition), self.condition_spec, "condition", n=n).to(self.device)
        labels = torch.as_tensor(condition, device=self.device).reshape(-1)
        if labels.is_floating_point() or labels.is_complex():
            if not torch.equal(labels, labels.round()):
                raise CapabilityError(f"{self.name!r} is conditioned on class labels; got non-integer values")
        labels = labels.long()
        if labels.numel() == 1:
            labels = labels.expand(n).clone()
        if labels.numel() != n:
            raise CapabilityError(f"got {labels.numel()} condition labels for {n} samples")
        classes = self.data_spec.num_classes
        if classes is not None and (labels.min() < 0 or labels.max() >= classes):
            raise CapabilityError(f"condition labels must be in [0, {classes - 1}]")
        return labels

    # -- Translator ------------------------------------------------------------------------
    @torch.no_grad()
    def translate_inputs(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """Check `x` against `source_spec`, run the model's `translate` in eval mode, return data_spec outputs.

        What the `genzoo translate` command and the kit call; models implement `translate` itself.
        """
        if Capability.TRANSLATE not in self.capabilities or self.source_spec is None:
            raise CapabilityError(f"{self.name!r} cannot translate: it lacks the 'translate' capability")
        x = check_inputs(torch.as_tensor(x), self.source_spec, "translate input").to(self.device)
        with self._inference():
            return _full_precision(self.translate(x, generator=generator))


def _full_precision(outputs: torch.Tensor) -> torch.Tensor:
    """Floating outputs as float32 whatever the weights' dtype (integer outputs stay as they are)."""
    return outputs.float() if outputs.is_floating_point() else outputs


def check_inputs(x: torch.Tensor, spec: DataSpec, what: str, *, n: int | None = None) -> torch.Tensor:
    """`x` as a batch `(n, *spec.shape)` of the spec's dtype inside `spec.value_range`, or a CapabilityError
    saying why. Integer specs (level indices, token ids) take whole numbers and stay int64.

    A single example (shaped `spec.shape`) becomes a batch of one, or of `n` copies when n is given.
    """
    if spec.dtype == "int64":
        if (x.is_floating_point() or x.is_complex()) and not torch.equal(x, x.round()):
            raise CapabilityError(f"{what} must hold whole numbers (the DataSpec's dtype is int64)")
        x = x.long()
    else:
        x = x.float()
    shape = tuple(spec.shape)
    if tuple(x.shape) == shape:
        x = x.unsqueeze(0).expand(n or 1, *shape).clone()
    if tuple(x.shape[1:]) != shape or (n is not None and len(x) != n):
        wanted = f"({n if n is not None else 'n'}, {', '.join(map(str, shape))})"
        raise CapabilityError(f"{what} must be shaped {wanted} or {shape}, got {tuple(x.shape)}")
    if x.is_floating_point() and not torch.isfinite(x).all():
        raise CapabilityError(f"{what} contains NaN or inf")
    if spec.value_range is not None:
        low, high = spec.value_range
        if x.min() < low or x.max() > high:
            raise CapabilityError(f"{what} values must lie in [{low:g}, {high:g}], got [{x.min():.4g}, {x.max():.4g}]")
    return x


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


@runtime_checkable
class Translator(Protocol):
    """`translate` maps a batch shaped like `source_spec` to one shaped like `data_spec`."""

    source_spec: DataSpec | None

    def translate(self, x: torch.Tensor, *, generator: torch.Generator | None = None) -> torch.Tensor: ...
