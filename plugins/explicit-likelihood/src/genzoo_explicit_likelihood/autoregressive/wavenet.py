"""WaveNet (van den Oord et al. 2016) over mu-law levels, with fast queued sampling (Paine et al. 2016).

Element t's 256-way softmax is read at input position t, which holds a learned start value at t = 0
and element t - 1 after it (the embedding of the shifted sequence: a one-hot input times a 1x1
convolution). Then `stacks` repeats of layers with dilations 1, 2, ..., 2^(cycle - 1): each a causal
convolution of kernel 2, out_t = W [h_{t-d}; h_t] + b (zeros before the start), a gated unit
tanh(f) * sigmoid(g), and a 1x1 convolution giving the residual (added to h) and the skip output
(summed over layers). The head is relu -> 1x1 -> relu -> 1x1 to the logits. Position t sees the
`receptive_field` elements before it and nothing at or after t.

Fast generation: a layer with dilation d needs only its input d steps back, so the cache keeps per layer a
queue (a ring buffer of d rows) of its past inputs; a step pushes one element through the layers at
O(layers) cost instead of a whole forward over the receptive field.

Bit for bit: the step's log-probabilities equal `element_log_probs`' row t on CPU, because both paths are
built from the same primitives on the same row layout (channels last): every convolution is one `F.linear`
GEMM over [h_{t-d}; h_t] (the forward over all n x L rows at once, the step over its rows, padded to
`MIN_ROWS` = 16, at and above which MKL gives each row the bits it gets inside a bigger GEMM; see
`autoregressive.attention`), and the sigmoid is computed as (1 + tanh(g / 2)) / 2: torch's CPU sigmoid
rounds the elements at a tensor's vectorised tail differently from the rest, while its tanh, and the
products and sums, give each element the same bits wherever it sits. `benchmarks/wavenet_step_exactness.py`
measures both; it also finds a few tiny GEMM shapes (5-7 or 10 input features into 2-10 outputs) where MKL's
rows differ in the last bit even at 4 rows (measured before `MIN_ROWS` rose from 4), so bit-identity is tested
at the recipe's widths and tiny ones (4, 8, 32, 64 channels), not promised for every width.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from pydantic import Field
from torch import nn
from torch.nn import functional as F

from genzoo.plugin import CapabilityError, DataSpec
from genzoo_explicit_likelihood.autoregressive.attention import MIN_ROWS, pad_rows
from genzoo_explicit_likelihood.autoregressive.base import AutoregressiveConfig, AutoregressiveModel
from genzoo_explicit_likelihood.autoregressive.masked_conv import gate
from genzoo_explicit_likelihood.autoregressive.threads import single_threaded

TONES = DataSpec(shape=(1024,), kind="discrete", dtype="int64", value_range=(0, 255), levels=256)


class WaveNetConfig(AutoregressiveConfig):
    data: DataSpec = TONES
    residual_channels: int = Field(32, ge=1, le=4096, description="Channels of the residual stream.")
    gate_channels: int = Field(32, ge=1, le=4096, description="Channels of each gated unit (the dilation "
                               "convolution outputs twice as many: filter and gate).")
    skip_channels: int = Field(64, ge=1, le=4096, description="Channels of the skip outputs and the head.")
    cycle: int = Field(10, ge=1, le=16, description="Layers per stack: dilations 1, 2, ..., 2^(cycle - 1).")
    stacks: int = Field(2, ge=1, le=16, description="Repeats of the dilation cycle.")


@dataclass
class WaveNetCache:
    """Per layer, a ring buffer (rows, dilation, residual channels) of the layer's past inputs: slot t % d
    holds the input of step t - d (zeros before the start); rows = max(n, 4), n real samples."""

    queues: list[torch.Tensor]
    n: int


class ResidualLayer(nn.Module):
    """Dilated causal convolution (kernel 2) -> tanh * sigmoid gate -> 1x1 to the residual and the skip."""

    def __init__(self, dilation: int, residual: int, gate_channels: int, skip: int):
        super().__init__()
        self.dilation, self.residual = dilation, residual
        self.convolution = nn.Linear(2 * residual, 2 * gate_channels)  # [h_{t-d}; h_t] -> [filter; gate]
        self.output = nn.Linear(gate_channels, residual + skip)  # -> [residual; skip]

    def forward(self, pair: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[h_{t-d}; h_t] (..., 2 residual) -> the next layer's input and the skip output."""
        output = self.output(gate(self.convolution(pair)))  # the sigmoid through tanh (module docstring)
        return pair[..., self.residual:] + output[..., :self.residual], output[..., self.residual:]


class WaveNet(AutoregressiveModel):
    config_class = WaveNetConfig
    default_sampler = "cached"
    has_cache = True

    def __init__(self, config: WaveNetConfig):
        super().__init__(config)
        values, residual, skip = self.num_values, config.residual_channels, config.skip_channels
        self.start_value = values  # the extra input value that stands before element 0
        self.embedding = nn.Embedding(values + 1, residual)
        self.layers = nn.ModuleList(ResidualLayer(2 ** i, residual, config.gate_channels, skip)
                                    for _ in range(config.stacks) for i in range(config.cycle))
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(skip, skip), nn.ReLU(), nn.Linear(skip, values))

    @property
    def receptive_field(self) -> int:
        """How many elements before t element t's distribution sees: stacks x (2^cycle - 1) + 1."""
        return self.config.stacks * (2 ** self.config.cycle - 1) + 1

    # -- the full forward --------------------------------------------------------------------
    @single_threaded
    def element_log_probs(self, sequence, condition=None):
        return super().element_log_probs(sequence, condition)

    def element_logits(self, sequence, condition=None):
        """(n, l, K) logits of the l <= L elements of `sequence` (n, l), each from the elements before it."""
        n, length = sequence.shape
        self._check_length(length)
        start = torch.full((n, 1), self.start_value, dtype=torch.long, device=sequence.device)
        h = self.embedding(torch.cat([start, sequence[:, :length - 1]], dim=1))
        skip = None
        for layer in self.layers:
            past = F.pad(h, (0, 0, layer.dilation, 0))[:, :length]  # h_{t-d}, zeros before the start
            h, layer_skip = layer(torch.cat([past, h], dim=-1))
            skip = layer_skip if skip is None else skip + layer_skip
        return self.head(skip)

    # -- the queued step ------------------------------------------------------------------------
    def start_cache(self, n, condition=None) -> WaveNetCache:
        rows, dtype = max(n, MIN_ROWS), self.embedding.weight.dtype
        queues = [torch.zeros(rows, layer.dilation, self.config.residual_channels, dtype=dtype, device=self.device)
                  for layer in self.layers]
        return WaveNetCache(queues, n)

    @single_threaded
    def step_logits(self, cache: WaveNetCache, position, previous):
        """(n, K) log-probabilities of element `position` given element position - 1 (`previous`, (n,); None at 0),
        equal to `element_log_probs`' row `position` bit for bit on CPU."""
        self._check_length(position + 1)
        if previous is None:
            previous = torch.full((cache.n,), self.start_value, dtype=torch.long, device=self.device)
        h = self.embedding(pad_rows(previous.to(self.device)))
        skip = None
        for layer, queue in zip(self.layers, cache.queues, strict=True):
            slot = position % layer.dilation
            pair = torch.cat([queue[:, slot], h], dim=-1)  # h_{t-d} read before h_t takes its slot
            queue[:, slot] = h
            h, layer_skip = layer(pair)
            skip = layer_skip if skip is None else skip + layer_skip
        return F.log_softmax(self.head(skip).float(), dim=-1)[:cache.n]

    def _check_length(self, length: int) -> None:
        if length > self.sequence_length:
            raise CapabilityError(f"a sequence of {length} elements is longer than {self.name!r}'s "
                                  f"sequence length of {self.sequence_length}")
