"""Sampling autoregressive models: inverse-CDF draws from uniforms fixed up front, naive and cached.

Both samplers draw u ~ U[0, 1) of shape (n, L) from the caller's generator before the first element,
then set element t to the smallest value k whose cumulative probability under softmax(logits_t / T)
exceeds u[:, t]. The draw of element t depends only on u[:, t] and its logits, never on how many
random numbers another path consumed, so the naive sampler (one full `element_logits` forward per
element, O(L) forwards) and the cached one (`start_cache` / `step_logits`, one step per element) give
the same samples bit for bit whenever their logits agree bit for bit. With a prefix, the observed
elements are kept (their uniforms are drawn and unused) and the others are drawn as usual.

Classifier-free guidance (`guidance_scale` w != 1, class-conditional models with a `null_condition`):
both paths run the n rows twice, with the labels and with "no label", and draw from
softmax(uncond + w (cond - uncond)) of the two halves' log-probabilities; w = 1 skips the second half and
draws from the model's own p(x | y).
"""

from __future__ import annotations

from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo.plugin import CapabilityError, ConfigError, Sampler, check_inputs


def inverse_cdf(logits: torch.Tensor, u: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """The value index (n,) whose CDF bin under softmax(logits / T) holds u (n,); computed in float64."""
    probs = torch.softmax(logits.double() / temperature, dim=-1)
    cdf = probs.cumsum(-1)
    below = (cdf <= (u.double() * cdf[..., -1]).unsqueeze(-1)).sum(-1)
    return below.clamp(max=logits.shape[-1] - 1)


def prepare_prefix(model, n: int, prefix: Any, prefix_length: int | None) -> tuple[torch.Tensor, int]:
    """The observed elements as value indices (n, L) in the model's order (zeros after the prefix) and
    their count k. `prefix` is whole examples shaped like the DataSpec (one, or n) whose first
    `prefix_length` elements in the model's order are observed (default: half of them), or (k,) / (n, k)
    value indices already in order (then prefix_length, if given, must be k)."""
    length = model.sequence_length
    sequence = torch.zeros(n, length, dtype=torch.long, device=model.device)
    if prefix is None:
        if prefix_length:
            raise CapabilityError("prefix_length needs a prefix")
        return sequence, 0
    prefix = torch.as_tensor(prefix)
    shape = tuple(model.data_spec.shape)
    if tuple(prefix.shape[-len(shape):]) == shape and prefix.dim() in (len(shape), len(shape) + 1):
        observed = model.to_sequence(check_inputs(prefix, model.data_spec, "prefix", n=n).to(model.device))
        k = length // 2 if prefix_length is None else prefix_length
    elif prefix.dim() in (1, 2) and shape != (prefix.shape[-1],):
        observed = _index_prefix(model, prefix, n)
        k = observed.shape[1]
        if prefix_length is not None and prefix_length != k:
            raise CapabilityError(f"prefix_length={prefix_length} but the prefix holds {k} elements")
    else:
        raise CapabilityError(f"a prefix must be shaped {shape} or (n, {', '.join(map(str, shape))}) (whole "
                              f"examples), or (k,) / (n, k) value indices; got {tuple(prefix.shape)}")
    if not 0 <= k <= length:
        raise CapabilityError(f"prefix_length={k} is outside 0..{length}, the model's sequence length")
    sequence[:, :k] = observed[:, :k].to(model.device)
    return sequence, k


def _index_prefix(model, prefix: torch.Tensor, n: int) -> torch.Tensor:
    """(k,) or (n, k) value indices checked against the sequence length and the K values."""
    if prefix.is_floating_point() and not torch.equal(prefix, prefix.round()):
        raise CapabilityError("a prefix of value indices must hold whole numbers")
    prefix = prefix.long()
    if prefix.dim() == 1:
        prefix = prefix.unsqueeze(0).expand(n, -1)
    if len(prefix) != n:
        raise CapabilityError(f"got {len(prefix)} prefixes for {n} samples")
    if prefix.shape[1] > model.sequence_length:
        raise CapabilityError(f"the prefix has {prefix.shape[1]} elements, more than the model's sequence length "
                              f"{model.sequence_length}")
    if prefix.numel() and (prefix.min() < 0 or prefix.max() >= model.num_values):
        raise CapabilityError(f"prefix values must be indices in 0..{model.num_values - 1}")
    return prefix


def guided(log_probs: torch.Tensor, scale: float) -> torch.Tensor:
    """(n, K) guided logits from (2n, K) rows: the conditional half's and then the unconditional half's
    log-probabilities, combined as uncond + scale * (cond - uncond)."""
    conditional, unconditional = torch.log_softmax(log_probs.float(), dim=-1).chunk(2)
    return unconditional + scale * (conditional - unconditional)


def sample_autoregressive(model, n: int, *, condition: torch.Tensor | None = None,
                          generator: torch.Generator | None = None, cached: bool = False, temperature: float = 1.0,
                          prefix: Any = None, prefix_length: int | None = None,
                          guidance_scale: float = 1.0) -> torch.Tensor:
    """n samples in the DataSpec's form, drawn element by element (see the module docstring)."""
    if not temperature > 0:
        raise ConfigError(f"temperature must be > 0, got {temperature}")
    if not guidance_scale >= 0:
        raise ConfigError(f"guidance_scale must be >= 0, got {guidance_scale}")
    sequence, observed = prepare_prefix(model, n, prefix, prefix_length)
    u = _uniform(sequence.shape, generator, model.device)
    guiding = guidance_scale != 1.0
    if guiding:
        if condition is None:
            raise CapabilityError("guidance_scale needs class labels to guide towards")
        condition = torch.cat([torch.as_tensor(condition, device=model.device).long().reshape(-1).expand(n),
                               model.null_condition(n)])

    def twice(rows: torch.Tensor) -> torch.Tensor:  # the same elements for both halves of a guided batch
        return torch.cat([rows, rows]) if guiding else rows

    def draw(log_probs: torch.Tensor, t: int) -> torch.Tensor:
        logits = guided(log_probs, guidance_scale) if guiding else log_probs
        return inverse_cdf(logits, u[:, t], temperature)

    if cached:
        cache = model.start_cache(len(twice(sequence)), condition)
        for t in range(model.sequence_length):
            previous = twice(sequence[:, t - 1]) if t else None
            logits = model.step_logits(cache, t, previous)
            if t >= observed:
                sequence[:, t] = draw(logits, t)
    else:
        for t in range(observed, model.sequence_length):
            sequence[:, t] = draw(model.element_log_probs(twice(sequence), condition)[:, t], t)
    return model.from_sequence(sequence)


def _uniform(shape, generator: torch.Generator | None, device) -> torch.Tensor:
    """U[0, 1) float64 draws made on the generator's device, then moved (so CPU seeds hold on a GPU)."""
    source = generator.device if generator is not None else device
    return torch.rand(shape, generator=generator, device=source, dtype=torch.float64).to(device)


class AutoregressiveOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    temperature: float = Field(1.0, description="Logits are divided by T before each draw (T < 1: sharper); > 0.")
    prefix: Any = Field(None, description="Observed elements to complete: whole examples shaped like the "
                        "DataSpec (one or n), or value indices in the model's order; `genzoo sample --prefix`.")
    prefix_length: int | None = Field(None, ge=0, description="How many elements of a whole-example prefix are "
                                      "observed, in the model's order (default: half; MNIST raster: 392 = the "
                                      "top 14 rows).")
    guidance_scale: float = Field(1.0, description="Classifier-free guidance w >= 0: draw from uncond + w (cond - "
                                  "uncond) log-probabilities (w = 1: the model's p(x | y); w > 1 follows the label "
                                  "more closely). Needs a class-conditional model trained with label_dropout.")


class NaiveSampler(Sampler):
    """One full `element_logits` forward per element: O(L) forwards of the whole sequence."""

    Options = AutoregressiveOptions

    def run(self, model, n, *, condition, generator, options):
        return sample_autoregressive(model, n, condition=condition, generator=generator, cached=False,
                                     **dict(options))


class CachedSampler(Sampler):
    """The model's incremental path (`start_cache` / `step_logits`): one cheap step per element."""

    Options = AutoregressiveOptions

    def run(self, model, n, *, condition, generator, options):
        return sample_autoregressive(model, n, condition=condition, generator=generator, cached=True,
                                     **dict(options))
