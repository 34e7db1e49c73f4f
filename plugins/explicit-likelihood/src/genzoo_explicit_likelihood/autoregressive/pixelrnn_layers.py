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
    """One LSTM update from pre-activations (..., 4, h, length) ordered [o, f, i, g]: the new (hidden, cell)."""
    output, forget, inp, candidate = gates.unbind(-3)
    cell = torch.sigmoid(forget) * cell + torch.sigmoid(inp) * torch.tanh(candidate)
    return torch.sigmoid(output) * torch.tanh(cell), cell


class RowLSTM(nn.Module):
    """Row by row: row i's gates come from a 1 x k convolution of row i's features over columns <= j (mask
    B, written as a causal convolution: the k // 2 + 1 taps up to the centre) and a k-wide 1-D
    convolution of row i - 1's hidden states. Position (i, j) sees a triangle above it (row i - d, columns
    j - d .. j + d, widened by the input convolution) and row i up to j: not the whole past."""

    def __init__(self, channels: int, hidden: int, kernel: int):
        super().__init__()
        self.hidden, self.reach = hidden, kernel // 2
        self.input_to_state = nn.Conv2d(channels, 4 * hidden, (1, self.reach + 1))
        self.state_to_state = nn.Conv1d(hidden, 4 * hidden, kernel, padding=self.reach)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, height, width = x.shape
        gates_in = self.input_to_state(F.pad(x, (self.reach, 0))).reshape(n, 4, self.hidden, height, width)
        hidden = cell = x.new_zeros(n, self.hidden, width)
        rows = []
        for i in range(height):
            gates = gates_in[..., i, :] + self.state_to_state(hidden).reshape(n, 4, self.hidden, width)
            hidden, cell = lstm_update(gates, cell)
            rows.append(hidden)
        return torch.stack(rows, dim=2)


class DiagonalBiLSTM(nn.Module):
    """Two diagonal LSTMs, left-to-right and right-to-left (the latter on the mirrored map), run together as
    two groups. Each skews its map so that diagonal i + j is a column and steps over the W + H - 1
    columns: the state of (i, j) comes through a 2 x 1 convolution from (i - 1, j) and (i, j - 1) (mirrored:
    (i, j + 1)), its input through a 1x1 convolution of (i, j)'s features. Left-to-right, (i, j) thus sees
    every position (i' <= i, j' <= j). Right-to-left, it would see (i, j + 1), a later pixel, so that
    output is shifted down one row before the two are added: (i, j) reads the right-to-left state of
    (i - 1, j), which has seen (i' <= i - 1, j' >= j). Together: the whole past."""

    def __init__(self, channels: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.input_to_state = nn.Conv2d(2 * channels, 2 * 4 * hidden, 1, groups=2)
        self.state_to_state = nn.Conv1d(2 * hidden, 2 * 4 * hidden, 2, groups=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, height, width = x.shape
        both = torch.cat([x, x.flip(-1)], dim=1)  # left-to-right, right-to-left (mirrored)
        gates_in = skew(self.input_to_state(both))
        gates_in = gates_in.reshape(n, 2, 4, self.hidden, height, gates_in.shape[-1])
        hidden = cell = x.new_zeros(n, 2, self.hidden, height)
        columns = []
        for column in range(gates_in.shape[-1]):
            state = self.state_to_state(F.pad(hidden.reshape(n, 2 * self.hidden, height), (1, 0)))
            gates = gates_in[..., column] + state.reshape(n, 2, 4, self.hidden, height)
            hidden, cell = lstm_update(gates, cell)
            columns.append(hidden)
        out = unskew(torch.stack(columns, dim=-1).reshape(n, 2 * self.hidden, height, -1))
        forward, backward = out.reshape(n, 2, self.hidden, height, width).unbind(1)
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
