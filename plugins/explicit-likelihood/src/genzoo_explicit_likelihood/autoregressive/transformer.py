"""An autoregressive transformer (image-GPT style on binarized MNIST): a decoder-only, pre-LN transformer
over the sequence of elements, with a key/value cache for fast sampling.

Element t's distribution is read at input position t, which holds a learned start token at t = 0 and
element t - 1 after it, so every element, the first included, is modelled: the inputs are the sequence
shifted right by one. Causal self-attention (`scaled_dot_product_attention(is_causal=True)`) keeps
position t from seeing elements >= t. Positions are learned embeddings or fixed sinusoids; weights start
as in GPT-2 (normal, std 0.02; the two residual projections of each block std 0.02 / sqrt(2 layers)).

The cache holds, per block, preallocated key and value buffers (rows, heads, L, width / heads); a step
feeds one new element through the blocks, writes its keys and values at its position and attends over
the buffers. Its logits equal the full forward's bit for bit on CPU in float32: see
`autoregressive.attention` for how (the same attention kernel on the same shapes, at least `MIN_ROWS` rows).
The context is the model's sequence length L: a longer sequence is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from pydantic import Field, model_validator
from torch import nn

from genzoo.plugin import CapabilityError
from genzoo_explicit_likelihood.autoregressive.attention import MIN_ROWS, Block, pad_rows
from genzoo_explicit_likelihood.autoregressive.base import AutoregressiveConfig, AutoregressiveModel

INIT_STD = 0.02  # GPT-2's


class TransformerConfig(AutoregressiveConfig):
    layers: int = Field(4, ge=1, le=64, description="Transformer blocks.")
    width: int = Field(128, ge=2, le=8192, description="Model width (embedding and residual stream).")
    heads: int = Field(4, ge=1, le=128, description="Attention heads; must divide width.")
    expansion: int = Field(4, ge=1, le=16, description="MLP hidden width as a multiple of width.")
    positions: Literal["learned", "sinusoidal"] = Field("learned", description="Position embeddings: learned "
                                                        "vectors or the fixed sinusoids of Vaswani et al.")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="Dropout on the embeddings and on each residual "
                           "branch while training.")

    @model_validator(mode="after")
    def _heads_divide_width(self) -> TransformerConfig:
        if self.width % self.heads:
            raise ValueError(f"heads={self.heads} must divide width={self.width}")
        return self


@dataclass
class TransformerCache:
    """Per block, key and value buffers (rows, heads, L, head width), rows = max(n, 4); n real samples."""

    keys: list[torch.Tensor]
    values: list[torch.Tensor]
    n: int


class Transformer(AutoregressiveModel):
    config_class = TransformerConfig
    default_sampler = "cached"
    has_cache = True

    def __init__(self, config: TransformerConfig):
        super().__init__(config)
        length, values, width = self.sequence_length, self.num_values, config.width
        self.start_token = values  # the extra input token that stands before element 0
        self.embedding = nn.Embedding(values + 1, width)
        if config.positions == "learned":
            self.position_embedding = nn.Parameter(torch.empty(length, width))
        else:  # derived from the config with NumPy (models are sized on the meta device), not stored
            self.register_buffer("position_embedding", sinusoids(length, width), persistent=False)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(width, config.heads, config.expansion, config.dropout)
                                    for _ in range(config.layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, values)
        self._init_weights()
        # visible[t] is True at positions <= t: the mask of a cached step at t
        self.register_buffer("visible", torch.ones(length, length, dtype=torch.bool).tril(), persistent=False)

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=INIT_STD)
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)
        if isinstance(self.position_embedding, nn.Parameter):
            nn.init.normal_(self.position_embedding, std=INIT_STD)
        for block in self.blocks:
            for projection in block.residual_projections():
                nn.init.normal_(projection.weight, std=INIT_STD / math.sqrt(2 * len(self.blocks)))

    # -- the full forward --------------------------------------------------------------------
    def element_logits(self, sequence, condition=None):
        """(n, l, K) logits of the l <= L elements of `sequence` (n, l), each from the elements before it."""
        n, length = sequence.shape
        self._check_length(length)
        start = torch.full((n, 1), self.start_token, dtype=torch.long, device=sequence.device)
        inputs = torch.cat([start, sequence[:, :length - 1]], dim=1)
        x = self.dropout(self.embedding(inputs) + self.position_embedding[:length])
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x))

    # -- the cached step ------------------------------------------------------------------------
    def start_cache(self, n, condition=None) -> TransformerCache:
        rows, config = max(n, MIN_ROWS), self.config
        shape = (rows, config.heads, self.sequence_length, config.width // config.heads)
        dtype = self.embedding.weight.dtype
        keys = [torch.zeros(shape, dtype=dtype, device=self.device) for _ in self.blocks]
        values = [torch.zeros(shape, dtype=dtype, device=self.device) for _ in self.blocks]
        return TransformerCache(keys, values, n)

    def step_logits(self, cache: TransformerCache, position, previous):
        """(n, K) logits of element `position` given element position - 1 (`previous`, (n,); None at 0)."""
        self._check_length(position + 1)
        if previous is None:
            previous = torch.full((cache.n,), self.start_token, dtype=torch.long, device=self.device)
        tokens = pad_rows(previous.to(self.device))
        x = self.dropout(self.embedding(tokens) + self.position_embedding[position])
        visible = self.visible[position].unsqueeze(0)
        for block, keys, values in zip(self.blocks, cache.keys, cache.values, strict=True):
            x = block.step(x, keys, values, position, visible)
        return self.head(self.norm(x))[:cache.n]

    def _check_length(self, length: int) -> None:
        if length > self.sequence_length:
            raise CapabilityError(f"a sequence of {length} elements is longer than {self.name!r}'s context of "
                                  f"{self.sequence_length}")


def sinusoids(length: int, width: int) -> torch.Tensor:
    """(length, width) fixed position embeddings: sin and cos of position / 10000^(2i / width)."""
    position = np.arange(length)[:, None]
    frequency = np.exp(-math.log(10000.0) * np.arange(0, width, 2) / width)
    table = np.zeros((length, width), dtype=np.float32)
    table[:, 0::2] = np.sin(position * frequency)
    table[:, 1::2] = np.cos(position * frequency[: width // 2])
    return torch.from_numpy(table)
