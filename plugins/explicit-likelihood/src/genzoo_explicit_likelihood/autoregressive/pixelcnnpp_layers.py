"""PixelCNN++'s building blocks (Salimans et al. 2017): shifted convolutions and the gated resnet.

Instead of masks, causality comes from padding on one side only:
- a *down-shifted* convolution (kernel 2 x 3 by default) pads kh - 1 rows on top and kw // 2 columns on
  each side, so output (r, c) sees rows r - kh + 1 .. r: the row itself and the ones above, never below;
- a *down-right-shifted* convolution (kernel 2 x 2) pads kh - 1 rows on top and kw - 1 columns on the
  left, so output (r, c) sees rows <= r and columns <= c: above and to the left.
`down_shift` / `right_shift` move a whole feature map one row down / one column right, which makes the
first layer's view strictly before the pixel. The transposed ("deconv") versions upsample by 2 and crop
the rows / columns the padding would have added, so they keep the same one-sided view; they then crop to
the size of the shortcut they meet (ceil(H / 2) -> H), which lets any image size through.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def down_shift(x: torch.Tensor) -> torch.Tensor:
    """Every row moved one down (a zero row on top): row r now holds what row r - 1 computed."""
    return F.pad(x, (0, 0, 1, 0))[:, :, :-1]


def right_shift(x: torch.Tensor) -> torch.Tensor:
    """Every column moved one right (a zero column on the left)."""
    return F.pad(x, (1, 0, 0, 0))[:, :, :, :-1]


def concat_elu(x: torch.Tensor) -> torch.Tensor:
    """ELU of [x, -x] on the channels: both signs pass, doubling the channels (the paper's nonlinearity)."""
    return F.elu(torch.cat([x, -x], dim=1))


class DownShiftedConv(nn.Conv2d):
    """Sees the rows at and above each output row, centred horizontally (kernel width odd)."""

    def __init__(self, channels_in: int, channels_out: int, kernel: tuple[int, int] = (2, 3), stride: int = 1):
        super().__init__(channels_in, channels_out, kernel, stride)
        self.padding_sides = (kernel[1] // 2, kernel[1] // 2, kernel[0] - 1, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(F.pad(x, self.padding_sides))


class DownRightShiftedConv(nn.Conv2d):
    """Sees the rows at and above and the columns at and left of each output position."""

    def __init__(self, channels_in: int, channels_out: int, kernel: tuple[int, int] = (2, 2), stride: int = 1):
        super().__init__(channels_in, channels_out, kernel, stride)
        self.padding_sides = (kernel[1] - 1, 0, kernel[0] - 1, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(F.pad(x, self.padding_sides))


class DownShiftedDeconv(nn.ConvTranspose2d):
    """Upsamples by 2 keeping the down-shifted view: crops the last kh - 1 rows and kw // 2 columns per side."""

    def __init__(self, channels: int, kernel: tuple[int, int] = (2, 3)):
        super().__init__(channels, channels, kernel, stride=2, output_padding=1)

    def forward(self, x: torch.Tensor, size: torch.Size) -> torch.Tensor:
        kh, kw = self.kernel_size
        y = super().forward(x)
        y = y[:, :, : y.shape[2] - kh + 1, kw // 2 : y.shape[3] - kw // 2]
        return y[:, :, : size[0], : size[1]]


class DownRightShiftedDeconv(nn.ConvTranspose2d):
    """Upsamples by 2 keeping the down-right view: crops the last kh - 1 rows and kw - 1 columns."""

    def __init__(self, channels: int, kernel: tuple[int, int] = (2, 2)):
        super().__init__(channels, channels, kernel, stride=2, output_padding=1)

    def forward(self, x: torch.Tensor, size: torch.Size) -> torch.Tensor:
        kh, kw = self.kernel_size
        y = super().forward(x)
        y = y[:, :, : y.shape[2] - kh + 1, : y.shape[3] - kw + 1]
        return y[:, :, : size[0], : size[1]]


class GatedResnet(nn.Module):
    """x + a * sigmoid(b), [a, b] = conv(dropout(concat_elu(conv(concat_elu(x)) + nin(concat_elu(shortcut))))).

    `conv` is the stream's shifted convolution, so the block keeps its stream's view; the shortcut (the
    other stream, or the up pass's activations in the down pass) enters through a 1 x 1 convolution
    ("network in network"), which adds no view of its own.
    """

    def __init__(self, filters: int, conv: type[nn.Conv2d], shortcut_maps: int = 0, dropout: float = 0.0):
        super().__init__()
        self.conv_in = conv(2 * filters, filters)
        self.shortcut = nn.Conv2d(2 * shortcut_maps * filters, filters, 1) if shortcut_maps else None
        self.dropout = nn.Dropout(dropout)
        self.conv_out = conv(2 * filters, 2 * filters)

    def forward(self, x: torch.Tensor, shortcut: torch.Tensor | None = None) -> torch.Tensor:
        h = self.conv_in(concat_elu(x))
        if self.shortcut is not None:
            h = h + self.shortcut(concat_elu(shortcut))
        a, b = self.conv_out(self.dropout(concat_elu(h))).chunk(2, dim=1)
        return x + a * torch.sigmoid(b)
