"""Masked convolutions as gathered taps @ weight, computed over a whole image (training, log_prob) or over
one row or one pixel (cached sampling) with bit-identical results.

A masked convolution (PixelCNN's masks A and B, the Gated PixelCNN's vertical and horizontal stacks) is a
list of *taps*: the offsets (di, dj) of the input positions an output position reads, di <= 0. Instead of
`F.conv2d` with a zeroed kernel, `TapConv` gathers exactly those taps into a patch row per output position
(channel-last, taps in a fixed order) and multiplies the rows by one (taps * in, out) weight. Fast sampling
(Ramachandran et al. 2017) then computes only the new positions of each layer: the same gather over a
one-pixel or one-row region of the same zero-padded input buffer, the same GEMM. Each output row is the
same dot product in both cases, and on this CPU (MKL) a GEMM's per-row results do not depend on how many
rows it holds once it holds at least `MIN_ROWS` (fewer take another path) and its output width is not one of
a few small ones (`gemm_width`), so regions smaller than that are padded by repeating rows and those widths
by zero columns (`benchmarks/pixelcnn_gemm_exactness.py` measures both; the tests check the models).
Elementwise work after the GEMM must be exact per element too: add, multiply, ReLU and tanh are; torch's
sigmoid is not (its vectorised and scalar paths round differently for some lengths), hence `sigmoid`.

Gathering only the unmasked taps also skips the masked half of every kernel (mask B 3x3: 5 of 9 taps), but
the gather costs memory traffic: a training step is about 1.9x slower than through `F.conv2d`
(benchmarks/pixelcnn_training_cost.py). So a TapConv in training mode with gradients on (`fitting`) runs
`F.conv2d` with the taps scattered into their kernel box, and `gate` runs through torch.sigmoid: the same
functions up to float rounding, used only to fit. Every
path whose bits matter (log_prob under no_grad or in eval mode, as `genzoo eval` runs it, and both samplers,
which run in eval mode) takes the gathered taps.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from genzoo_explicit_likelihood.autoregressive.attention import pad_rows

Taps = tuple[tuple[int, int], ...]
SAFE_WIDTH = 12  # see gemm_width


def mask_a(kernel: int) -> Taps:
    """PixelCNN mask A (first layer): the rows above within the kernel and the pixels strictly to the left."""
    half = kernel // 2
    above = tuple((di, dj) for di in range(-half, 0) for dj in range(-half, half + 1))
    return above + tuple((0, dj) for dj in range(-half, 0))


def mask_b(kernel: int) -> Taps:
    """PixelCNN mask B (later layers): mask A plus the centre (the same position of the previous layer)."""
    return mask_a(kernel) + ((0, 0),)


def taps_mask(taps: Taps, kernel: int) -> torch.Tensor:
    """The (kernel, kernel) 0/1 mask a taps list stands for (centre at kernel // 2): for tests and docs."""
    mask = torch.zeros(kernel, kernel)
    for di, dj in taps:
        mask[kernel // 2 + di, kernel // 2 + dj] = 1
    return mask


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """sigmoid(x) = (1 + tanh(x / 2)) / 2, exact per element whatever the tensor's length (torch.sigmoid is not)."""
    return torch.tanh(x * 0.5) * 0.5 + 0.5


def fitting(module: nn.Module) -> bool:
    """Whether `module` computes for a gradient step (training mode, gradients on): then bits need not match
    the cached path's, and the faster F.conv2d / torch.sigmoid formulations are used."""
    return module.training and torch.is_grad_enabled()


def gate(x: torch.Tensor, exact: bool = True) -> torch.Tensor:
    """The gated activation tanh(a) * sigmoid(b) of x = [a, b] split along the last (channel) dimension.
    exact=False computes it as (2 sigmoid(2a) - 1) * sigmoid(b) through torch.sigmoid, which is vectorised
    (torch.tanh is not on this CPU: about 7x slower) but rounds differently by tensor length."""
    a, b = x.chunk(2, dim=-1)
    if exact:
        return torch.tanh(a) * sigmoid(b)
    return (2 * torch.sigmoid(2 * a) - 1) * torch.sigmoid(b)


def init_affine(fan_in: int, out_channels: int) -> tuple[nn.Parameter, nn.Parameter]:
    """A (fan_in, out) weight and (out,) bias drawn U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as torch's conv layers."""
    bound = 1 / math.sqrt(fan_in)
    return (nn.Parameter(torch.empty(fan_in, out_channels).uniform_(-bound, bound)),
            nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)))


def gemm_width(columns: int) -> int:
    """The output width a GEMM is computed at: MKL's per-row results also depend on the row count for
    1, 5-7 and 9-11 output columns (measured by benchmarks/pixelcnn_gemm_exactness.py), so those widths are
    computed as 12 zero-padded columns; 2-4, 8 and >= 12 columns are exact as they are."""
    return columns if columns in (2, 3, 4, 8) or columns >= SAFE_WIDTH else SAFE_WIDTH


def affine(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x (..., in) @ weight + bias as ONE GEMM over all leading positions, padded to >= MIN_ROWS rows (and
    `gemm_width` columns), so each position's result is the same however many positions are computed
    together (see the module docstring)."""
    flat = x.reshape(-1, x.shape[-1])
    columns = weight.shape[1]
    if gemm_width(columns) != columns:
        weight = F.pad(weight, (0, gemm_width(columns) - columns))
    out = (pad_rows(flat) @ weight)[: len(flat), :columns]
    return (out + bias).reshape(*x.shape[:-1], -1)


class TapConv(nn.Module):
    """A convolution reading input taps (di, dj) around each output position, on channel-last maps.

    Inputs are zero-padded buffers shaped (n, top + H, left + W + right, C) with `padding` = (top, left, right):
    `pad` makes one from a whole map, `PaddedBuffer` holds one filled position by position.
    """

    def __init__(self, taps: Taps, in_channels: int, out_channels: int):
        super().__init__()
        if not taps or any(di > 0 for di, _ in taps):
            raise ValueError(f"taps must be non-empty offsets with di <= 0, got {taps}")
        self.taps = taps
        columns = [dj for _, dj in taps]
        self.padding = (-min(di for di, _ in taps), max(0, -min(columns)), max(0, max(columns)))
        self.weight, self.bias = init_affine(len(taps) * in_channels, out_channels)

    def pad(self, x: torch.Tensor) -> torch.Tensor:
        """A whole map (n, H, W, C) zero-padded for this convolution."""
        top, left, right = self.padding
        return nn.functional.pad(x, (0, 0, left, right, top, 0))

    def forward(self, padded: torch.Tensor, rows: slice, cols: slice) -> torch.Tensor:
        """The outputs (n, h, w, out) at output rows `rows` and columns `cols` (slices of the unpadded map)."""
        if fitting(self):
            return self.conv2d(padded)[:, rows, cols]
        top, left, _ = self.padding
        patches = torch.cat([padded[:, top + rows.start + di: top + rows.stop + di,
                                    left + cols.start + dj: left + cols.stop + dj] for di, dj in self.taps], dim=-1)
        return affine(patches, self.weight, self.bias)

    def conv2d(self, padded: torch.Tensor) -> torch.Tensor:
        """Every output position through `F.conv2d` with the taps scattered into their kernel box (the rest
        zeros): the same function, rounded differently, and about twice as fast to train on CPU."""
        top, left, right = self.padding
        box_width = left + right + 1
        inputs = self.weight.shape[0] // len(self.taps)
        index = torch.tensor([(di + top) * box_width + dj + left for di, dj in self.taps], device=padded.device)
        kernel = self.weight.new_zeros((top + 1) * box_width, inputs, self.weight.shape[1])
        kernel = kernel.index_copy(0, index, self.weight.view(len(self.taps), inputs, -1))
        kernel = kernel.view(top + 1, box_width, inputs, -1).permute(3, 2, 0, 1)
        return F.conv2d(padded.permute(0, 3, 1, 2), kernel, self.bias).permute(0, 2, 3, 1)

    def whole(self, x: torch.Tensor) -> torch.Tensor:
        """The outputs at every position of a whole map x (n, H, W, C)."""
        return self(self.pad(x), slice(0, x.shape[1]), slice(0, x.shape[2]))


class Pointwise(nn.Module):
    """A 1x1 convolution through the same GEMM, on any channel-last (..., C) tensor."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.weight, self.bias = init_affine(in_channels, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return affine(x, self.weight, self.bias)


class PaddedBuffer:
    """A zero-padded channel-last map (n, top + H, left + W + right, C) that a cached sampler fills region by
    region, read by a `TapConv` with that padding."""

    def __init__(self, conv: TapConv, n: int, height: int, width: int, channels: int, like: torch.Tensor):
        self.top, self.left, right = conv.padding
        self.data = like.new_zeros(n, self.top + height, self.left + width + right, channels)

    def write(self, rows: slice, cols: slice, values: torch.Tensor) -> None:
        """Store values (n, h, w, C) at the unpadded region rows x cols."""
        top, left = self.top, self.left
        self.data[:, top + rows.start: top + rows.stop, left + cols.start: left + cols.stop] = values
