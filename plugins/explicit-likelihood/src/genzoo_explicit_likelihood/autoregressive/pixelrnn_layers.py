"""PixelRNN's layers (van den Oord, Kalchbrenner & Kavukcuoglu 2016): the mask-A input convolution, the Row
LSTM, the Diagonal BiLSTM with its skew / unskew, each LSTM wrapped in a residual connection.

Every layer maps features whose position (i, j) depends only on pixels strictly before (i, j) in raster
order to features with the same property (the mask-A convolution starts it from the pixels). Single-channel
images only, so the paper's mask B on a 1x1 convolution allows every connection and is a plain 1x1 conv.

Gates follow the paper: [o, f, i, g] = [sigmoid, sigmoid, sigmoid, tanh](K_ss * h_prev + K_is * x),
c = f c_prev + i g, h = o tanh(c). The input-to-state part is one convolution over the whole map; only the
state-to-state part runs step by step (rows for the Row LSTM, diagonals for the Diagonal BiLSTM).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class MaskedConv2d(nn.Conv2d):
    """A square convolution whose output at (i, j) sees only the input positions before (i, j) in raster
    order: the rows above the centre and, in the centre row, the columns left of it (mask A; single
    channel, so no colour masking)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int):
        super().__init__(in_channels, out_channels, kernel, padding=kernel // 2)
        mask = torch.ones(kernel, kernel)
        mask[kernel // 2, kernel // 2:] = 0
        mask[kernel // 2 + 1:] = 0
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


def skew(x: torch.Tensor) -> torch.Tensor:
    """(n, C, H, W) -> (n, C, H, W + H - 1) with row i shifted right by i (out[..., i, i + j] = x[..., i, j],
    zeros elsewhere), so pixel (i, j)'s diagonal i + j becomes a column. Pad each row with H zeros, flatten,
    drop the last H and re-fold rows of W + H - 1: row i's element j lands at column i + j, and the padding
    zeros fill the positions around it."""
    n, channels, height, width = x.shape
    flat = F.pad(x, (0, height)).reshape(n, channels, height * (width + height))[..., : height * (width + height - 1)]
    return flat.reshape(n, channels, height, width + height - 1)


def unskew(x: torch.Tensor) -> torch.Tensor:
    """The inverse of `skew`: (n, C, H, W + H - 1) -> (n, C, H, W), out[..., i, j] = x[..., i, i + j]."""
    n, channels, height, skewed_width = x.shape
    width = skewed_width - height + 1
    flat = F.pad(x.reshape(n, channels, height * skewed_width), (0, height))
    return flat.reshape(n, channels, height, skewed_width + 1)[..., :width]


def lstm_update(gates: torch.Tensor, cell: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One LSTM update from pre-activations (..., 4h) ordered [o, f, i, g] and the cell (..., h): the new
    (hidden, cell)."""
    hidden = cell.shape[-1]
    output, forget, inp = torch.sigmoid(gates[..., : 3 * hidden]).split(hidden, dim=-1)
    cell = forget * cell + inp * torch.tanh(gates[..., 3 * hidden:])
    return output * torch.tanh(cell), cell


class RowLSTM(nn.Module):
    """Row by row: row i's gates come from a 1 x k convolution of row i's features over columns <= j (mask
    B, written as a causal convolution: the k // 2 + 1 taps up to the centre) and a k-wide 1-D
    convolution of row i - 1's hidden states. Position (i, j) sees a triangle above it (row i - d, columns
    j - d .. j + d, widened by the input convolution) and row i up to j: not the whole past.

    The step's convolution is one matrix product of the k shifted copies of the previous row, and each
    step reads a contiguous (n, W, 4h) slice of the precomputed input gates (one unbind: indexing the map
    once per row would make autograd write and add up a zero gradient of the whole map per row)."""

    def __init__(self, channels: int, hidden: int, kernel: int):
        super().__init__()
        self.hidden, self.kernel = hidden, kernel
        self.input_to_state = nn.Conv2d(channels, 4 * hidden, (1, kernel // 2 + 1))
        self.state_to_state = nn.Linear(kernel * hidden, 4 * hidden)  # [shift 0, ..., k - 1] x h features

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, height, width = x.shape
        reach = self.kernel // 2
        gates_in = self.input_to_state(F.pad(x, (reach, 0))).permute(2, 0, 3, 1).contiguous()  # (H, n, W, 4h)
        hidden = cell = x.new_zeros(n, width, self.hidden)
        rows = []
        for row_gates in gates_in.unbind(0):
            padded = F.pad(hidden, (0, 0, reach, reach))
            window = torch.cat([padded[:, shift: shift + width] for shift in range(self.kernel)], dim=-1)
            hidden, cell = lstm_update(row_gates + self.state_to_state(window), cell)
            rows.append(hidden)
        return torch.stack(rows).permute(1, 3, 0, 2)  # (n, h, H, W)


class DiagonalBiLSTM(nn.Module):
    """Two diagonal LSTMs, left-to-right and right-to-left (the latter on the mirrored map), run together as
    two groups. Each skews its map so that diagonal i + j is a column and steps over the W + H - 1
    columns: the state of (i, j) comes through a 2 x 1 convolution from (i - 1, j) and (i, j - 1) (mirrored:
    (i, j + 1)), its input through a 1x1 convolution of (i, j)'s features. Left-to-right, (i, j) thus sees
    every position (i' <= i, j' <= j). Right-to-left, it would see (i, j + 1), a later pixel, so that
    output is shifted down one row before the two are added: (i, j) reads the right-to-left state of
    (i - 1, j), which has seen (i' <= i - 1, j' >= j). Together: the whole past but one pixel (the test
    `diagonal_bilstm_context` says which).

    Both directions are one batch of two matrix products: the 1x1 input-to-state convolution over the
    whole skewed map at once, laid out column-major so each step reads a contiguous slice of it (as in
    `RowLSTM`), and each step's 2 x 1 convolution as [h(i - 1), h(i)] times its weight."""

    def __init__(self, channels: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        bound = channels ** -0.5
        self.input_weight = nn.Parameter(torch.empty(2, channels, 4 * hidden).uniform_(-bound, bound))
        self.input_bias = nn.Parameter(torch.empty(2, 1, 4 * hidden).uniform_(-bound, bound))
        bound = (2 * hidden) ** -0.5  # PyTorch's default for a layer of fan-in 2h
        self.state_weight = nn.Parameter(torch.empty(2, 2 * hidden, 4 * hidden).uniform_(-bound, bound))
        self.state_bias = nn.Parameter(torch.empty(2, 1, 4 * hidden).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, channels, height, width = x.shape
        both = skew(torch.stack([x, x.flip(-1)]).reshape(2 * n, channels, height, width))  # (2n, C, H, W')
        skewed_width = both.shape[-1]
        rows = both.reshape(2, n, channels, height, skewed_width).permute(0, 4, 1, 3, 2).reshape(2, -1, channels)
        gates_in = torch.baddbmm(self.input_bias, rows, self.input_weight)
        gates_in = gates_in.reshape(2, skewed_width, n * height, 4 * self.hidden)
        hidden = cell = x.new_zeros(2, n, height, self.hidden)
        columns = []
        for column_gates in gates_in.unbind(1):  # (2, n H, 4h)
            above = F.pad(hidden, (0, 0, 1, 0))[:, :, :height]  # row i holds h(i - 1)
            window = torch.cat([above, hidden], dim=-1).reshape(2, n * height, 2 * self.hidden)
            gates = torch.baddbmm(self.state_bias, window, self.state_weight) + column_gates
            hidden, cell = lstm_update(gates.reshape(2, n, height, 4 * self.hidden), cell)
            columns.append(hidden)
        skewed = torch.stack(columns, dim=-1)  # (2, n, H, h, W')
        out = unskew(skewed.transpose(2, 3).reshape(2 * n, self.hidden, height, skewed_width))
        forward, backward = out.reshape(2, n, self.hidden, height, width).unbind(0)
        backward = F.pad(backward.flip(-1), (0, 0, 1, 0))[..., :height, :]  # (i, j) <- (i - 1, j)
        return forward + backward


class ResidualLSTM(nn.Module):
    """An LSTM layer of h units on a 2h-feature map, its output brought back to 2h features by a 1x1
    convolution and added to its input (the paper's residual connection)."""

    def __init__(self, lstm: nn.Module, hidden: int, channels: int):
        super().__init__()
        self.lstm = lstm
        self.up = nn.Conv2d(hidden, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.up(self.lstm(x))
