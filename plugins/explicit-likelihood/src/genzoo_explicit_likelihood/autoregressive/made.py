"""MADE (Germain et al. 2015): an MLP made autoregressive by masking its weights, with a mask ensemble.

Every unit gets a degree: input (and output) units of element t have degree t + 1 in the model's order,
hidden units a degree drawn uniformly from [the previous layer's smallest degree, L - 1]. A weight is
kept when its hidden unit's degree is >= its input unit's, and an output weight when the output's
degree is > the hidden unit's, so output t sees only elements < t: one forward gives all L
conditionals (log p(x) costs one pass). Sampling needs L forwards (no cache: every hidden unit may
change with every new element), so MADE offers only the naive sampler.

Connectivity-agnostic training (`num_masks` > 1): the degrees are redrawn for each of `num_masks`
fixed mask sets (from `mask_seed`, so checkpoints store no masks) and the training step uses mask
`step % num_masks` for each minibatch. All masks keep the same element order (raster, or the fixed
random one of `order`), so the ensemble is itself an autoregressive model in that order:
`log_prob` is the exact log-likelihood of the uniform mixture of the M masked models,
log (1/M) sum_m p_m(x) (the paper's test-time averaging of probabilities), computed through exact
per-element conditionals p(x_t | x_<t) = sum_m p_m(x_<t) p_m(x_t | x_<t) / sum_m p_m(x_<t), so the
samplers and completion work unchanged. With num_masks = 1 it is the plain MADE.
"""

from __future__ import annotations

import numpy as np
import torch
from pydantic import Field
from torch import nn
from torch.nn import functional as F

from genzoo.plugin import Batch, TrainingStep
from genzoo_explicit_likelihood.autoregressive.base import AutoregressiveConfig, AutoregressiveModel


class MADEConfig(AutoregressiveConfig):
    hidden: tuple[int, ...] = Field((500,), min_length=1, description="Hidden layer sizes (the paper: one of 500).")
    num_masks: int = Field(1, ge=1, le=256, description="Mask sets cycled per minibatch in training and "
                           "averaged (as a mixture) in log_prob; 1 is the plain MADE.")
    mask_seed: int = Field(0, ge=0, description="Seed of the hidden-unit degrees of every mask set.")


def hidden_degrees(length: int, sizes: tuple[int, ...], rng: np.random.Generator) -> list[np.ndarray]:
    """Degrees of each hidden layer's units, each drawn from [previous layer's minimum, L - 1]."""
    degrees, low = [], 1
    for size in sizes:
        layer = rng.integers(low, max(low, length - 1) + 1, size)
        degrees.append(layer)
        low = int(layer.min())
    return degrees


def made_masks(length: int, values: int, outputs: int, sizes: tuple[int, ...],
               rng: np.random.Generator) -> list[np.ndarray]:
    """One 0/1 mask (out, in) per layer: inputs (t, v) and outputs (t, k) of element t have degree t + 1.
    Drawn with NumPy from the config's seed (genzoo sizes models on the meta device, where torch draws
    hold no values)."""
    inputs = np.repeat(np.arange(1, length + 1), values - 1)
    output = np.repeat(np.arange(1, length + 1), outputs)
    masks, previous = [], inputs
    for layer in hidden_degrees(length, sizes, rng):
        masks.append((layer[:, None] >= previous[None, :]).astype(np.float32))
        previous = layer
    masks.append((output[:, None] > previous[None, :]).astype(np.float32))
    return masks


class MADE(AutoregressiveModel):
    config_class = MADEConfig
    default_sampler = "naive"

    def __init__(self, config: MADEConfig):
        super().__init__(config)
        length, values = self.sequence_length, self.num_values
        self.outputs = 1 if values == 2 else values
        sizes = (length * (values - 1), *config.hidden, length * self.outputs)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        rng = np.random.default_rng(config.mask_seed)
        per_mask = [made_masks(length, values, self.outputs, config.hidden, rng) for _ in range(config.num_masks)]
        for index in range(len(self.layers)):  # (M, out, in) per layer, rebuilt from the config: not saved
            stacked = np.stack([masks[index] for masks in per_mask])
            self.register_buffer(f"mask{index}", torch.as_tensor(stacked), persistent=False)

    def _inputs(self, sequence: torch.Tensor) -> torch.Tensor:
        """One-hot of the K - 1 non-zero values of every element, (n, L (K - 1)); binary: x itself."""
        if self.num_values == 2:
            return sequence.to(self.layers[0].weight.dtype)
        one_hot = F.one_hot(sequence, self.num_values)[..., 1:]
        return one_hot.reshape(len(sequence), -1).to(self.layers[0].weight.dtype)

    def mask_logits(self, sequence: torch.Tensor, mask: int) -> torch.Tensor:
        """(n, L, K) logits of the model masked by mask set `mask`."""
        h = self._inputs(sequence)
        for index, layer in enumerate(self.layers):
            h = F.linear(h, layer.weight * getattr(self, f"mask{index}")[mask], layer.bias)
            if index < len(self.layers) - 1:
                h = F.relu(h)
        out = h.reshape(len(sequence), self.sequence_length, self.outputs)
        return torch.cat([torch.zeros_like(out), out], dim=-1) if self.num_values == 2 else out

    def element_logits(self, sequence, condition=None):
        """Mask set 0's logits (the whole model when num_masks = 1)."""
        return self.mask_logits(sequence, 0)

    def element_log_probs(self, sequence, condition=None):
        """The mixture's exact conditionals: each mask's weighted by its probability of the elements before."""
        per_mask = torch.stack([F.log_softmax(self.mask_logits(sequence, m).float(), dim=-1)
                                for m in range(self.config.num_masks)])
        if self.config.num_masks == 1:
            return per_mask[0]
        chosen = per_mask.gather(-1, sequence.expand(len(per_mask), -1, -1).unsqueeze(-1)).squeeze(-1)
        before = torch.cat([torch.zeros_like(chosen[..., :1]), chosen[..., :-1]], dim=-1).cumsum(-1)
        weights = before - torch.logsumexp(before, dim=0, keepdim=True)
        return torch.logsumexp(weights.unsqueeze(-1) + per_mask, dim=0)

    def mask_log_prob(self, x: torch.Tensor, mask: int) -> torch.Tensor:
        """log p_m(x) under one mask set: what connectivity-agnostic training maximises per minibatch."""
        sequence = self.to_sequence(x)
        log_probs = F.log_softmax(self.mask_logits(sequence, mask).float(), dim=-1)
        return log_probs.gather(-1, sequence.unsqueeze(-1)).squeeze(-1).sum(-1)


class MaskCyclingStep(TrainingStep):
    """Maximum likelihood of one mask set per minibatch, set `step % num_masks` (all of them in turn)."""

    def loss(self, model: MADE, batch: Batch, group: str, state: dict):
        mask = batch.step % model.config.num_masks
        return {"loss": -model.mask_log_prob(batch.x, mask).mean()}
