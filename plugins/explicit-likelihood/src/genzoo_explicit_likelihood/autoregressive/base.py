"""The autoregressive contract every AR model of the family builds on (NADE, MADE, PixelCNN, ...).

An autoregressive model is a distribution over a fixed-length *sequence* of L elements, each taking
one of K values (binary pixels K = 2, grey levels K = 256, tokens), factorised in a fixed order:
p(x) = prod_t p(x_t | x_<t). Everything below speaks of the sequence in that order:

- `to_sequence(x) -> (n, L) int64` turns data shaped like the DataSpec into value indices in the
  model's order (raster order of the flattened example by default; `element_order()` may permute it,
  e.g. NADE's random fixed order); `from_sequence` goes back. Binary float data {low, high} become
  0/1, discrete float levels k / (K - 1) become k, int64 data are their own indices.
- A subclass implements **`element_logits(sequence, condition=None) -> (n, L, K)`**: the full
  teacher-forced forward, where row t depends only on `sequence[:, :t]` (and the condition). It is
  what `log_prob` uses and what the `naive` sampler calls once per element.
- **`element_log_probs`** (default: log_softmax of `element_logits`) is the one place per-element
  log-probabilities over the K values are formed: a model whose elements are continuous-parameterised
  (PixelCNN++'s discretized logistic mixture) or a mixture of AR models (MADE's mask ensemble)
  overrides it. Whatever it returns is also a valid logit vector, so samplers use it directly.
- Optionally, a fast incremental path: **`start_cache(n, condition) -> cache`** and
  **`step_logits(cache, position, previous) -> (n, K)`**, which returns element `position`'s logits
  (or log-probs) given `previous`, the (n,) values of element `position - 1` (None at position 0),
  updating the cache in place (the cache is the model's own object). Only models with a cache define
  these two methods (genzoo offers the `cached` sampler exactly to models that list them in
  `ArchitectureSpec.methods`); such a model also sets the class attribute `has_cache = True`. The cached logits must equal `element_logits`' bit for bit, so the two samplers draw the
  same samples for the same seed (tests check it on CPU).
- `log_prob(x)` = sum over elements of the chosen value's log-probability: exact, in nats per
  example (binary data: nats; K-level data: bits/dim = nats / (L ln 2), as genzoo's nll metric reports).

Sampling (`autoregressive.sampling`): one uniform u of shape (n, L) is drawn up front from the
caller's generator; element t is the inverse CDF of softmax(logits_t / T) at u[:, t]. The `naive` and
`cached` samplers therefore agree bit for bit, whatever the prefix. Options: `temperature` (> 0) and a
`prefix` (completion / inpainting): the observed first `prefix_length` elements, given as whole
examples shaped like the DataSpec or as (n, k) value indices already in order; the samplers keep
them and draw the rest. Capability `complete` says a model takes a prefix (`genzoo sample --prefix`).
`generate` samples with the fastest path (cached when `has_cache`), so the core `ancestral` sampler
works too. Text models add `decode_text(samples) -> list[str]` (and `encode_text(text)` for prefixes)
and `genzoo sample` prints their samples.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import torch
from pydantic import Field
from torch.nn import functional as F

from genzoo import Capability, DataSpec, GenerativeModel, ModelConfig
from genzoo.plugin import CapabilityError, check_inputs, from_levels

BINARIZED_MNIST = DataSpec(shape=(1, 28, 28), kind="binary", value_range=(0.0, 1.0), levels=2)
CAPABILITIES = frozenset({Capability.SAMPLE, Capability.LOG_PROB, Capability.COMPLETE})
LEVEL_TOLERANCE = 1e-3  # of a level spacing: float32 levels k / 255 sit ~1e-5 spacings off k


class AutoregressiveConfig(ModelConfig):
    """What every AR model's config has: the data (binarized MNIST by default) and the element order."""

    data: DataSpec = BINARIZED_MNIST
    order: Literal["raster", "random"] = Field("raster", description="Element order: raster (the flattened "
                                               "example) or one random permutation fixed by order_seed.")
    order_seed: int = Field(0, ge=0, description="Seed of the random order (unused for raster).")


class AutoregressiveModel(GenerativeModel):
    """Base class: subclasses implement `element_logits` (and optionally the cached step)."""

    config_class = AutoregressiveConfig
    capabilities = CAPABILITIES
    default_sampler = "naive"
    has_cache: ClassVar[bool] = False

    def __init__(self, config: AutoregressiveConfig):
        super().__init__(config)
        spec = config.data
        if spec.kind == "continuous":
            raise CapabilityError("autoregressive models take binary or discrete data, not continuous values; "
                                  "train with --set data.view=binarized (or data.view=levels)")
        length = spec.dim
        if config.order == "random":
            order = np.random.default_rng(config.order_seed).permutation(length)
        else:
            order = np.arange(length)
        # Derived from the config alone (with NumPy: genzoo sizes models on the meta device, where torch draws
        # hold no values), so checkpoints need not store it.
        self.register_buffer("order", torch.as_tensor(order, dtype=torch.long), persistent=False)

    # -- the sequence view ------------------------------------------------------------------
    @property
    def sequence_length(self) -> int:
        """L: the number of elements of one example."""
        return self.data_spec.dim

    @property
    def num_values(self) -> int:
        """K: the number of values each element takes."""
        return 2 if self.data_spec.kind == "binary" else self.data_spec.levels

    def to_sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Value indices (n, L) int64 in the model's order of data (n, *shape) in the DataSpec's form, or a
        CapabilityError for values that are not among its levels (the model has no mass anywhere else)."""
        spec = self.data_spec
        flat = x.reshape(len(x), -1)
        if spec.dtype == "int64":
            index = flat.long() - int(spec.value_range[0])
            bad = bool(((index < 0) | (index >= self.num_values)).any())
        else:
            low, high = spec.value_range
            position = (flat.double() - low) / (high - low) * (self.num_values - 1)
            index = position.round()
            bad = bool(((position - index).abs() > LEVEL_TOLERANCE).any() or index.min() < 0
                       or index.max() > self.num_values - 1)
            index = index.long()
        if bad:
            raise CapabilityError(f"{self.name!r} models {self.num_values} values per element in "
                                  f"{list(spec.value_range)} and has no probability for others; give it the view it "
                                  "was trained on")
        return index[:, self.order.to(index.device)]

    def from_sequence(self, sequence: torch.Tensor) -> torch.Tensor:
        """Data (n, *shape) in the DataSpec's form from value indices (n, L) in the model's order."""
        spec = self.data_spec
        flat = torch.empty_like(sequence)
        flat[:, self.order.to(sequence.device)] = sequence
        if spec.dtype == "int64":
            values = flat + int(spec.value_range[0])
        else:
            values = from_levels(flat, self.num_values, spec.value_range)
        return values.reshape(len(sequence), *spec.shape)

    # -- what subclasses provide ---------------------------------------------------------------
    def element_logits(self, sequence: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """(n, L, K) logits; row t may depend only on sequence[:, :t] and the condition."""
        raise NotImplementedError

    def element_log_probs(self, sequence: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """(n, L, K) log-probabilities of every value of every element (override for non-softmax heads)."""
        return F.log_softmax(self.element_logits(sequence, condition).float(), dim=-1)

    def null_condition(self, n: int) -> torch.Tensor:
        """The condition meaning "no label" (n rows) for classifier-free guidance; only a class-conditional
        model trained to also model p(x) has one."""
        raise CapabilityError(f"{self.name!r} has no unconditional mode, so it cannot be sampled with guidance "
                              "(a class-conditional model trained with label_dropout > 0 can)")

    # -- likelihood and sampling -------------------------------------------------------------
    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Exact log p(x) in nats per example: the chosen values' log-probabilities summed over elements."""
        x = check_inputs(torch.as_tensor(x), self.data_spec, "log_prob input").to(self.device)
        sequence = self.to_sequence(x)
        log_probs = self.element_log_probs(sequence, condition)
        return log_probs.gather(-1, sequence.unsqueeze(-1)).squeeze(-1).sum(-1)

    def generate(self, n: int, *, condition: torch.Tensor | None = None,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """Samples at temperature 1 through the fastest path (cached when the model has one)."""
        from genzoo_explicit_likelihood.autoregressive.sampling import sample_autoregressive

        return sample_autoregressive(self, n, condition=condition, generator=generator, cached=self.has_cache)
