"""PixelRNN (van den Oord, Kalchbrenner & Kavukcuoglu 2016, Pixel Recurrent Neural Networks): the Row LSTM
and the Diagonal BiLSTM over single-channel images (binarized MNIST), pixels in raster order.

The image of value indices (scaled to [-1, 1]) goes through a 7x7 mask-A convolution to 2h features, then
`layers` residual LSTM layers of h units (`cell`: `row-lstm` or `diagonal-bilstm`, see
`autoregressive.pixelrnn_layers`), then ReLU, a 1x1 convolution to `output_hidden` features, ReLU, and a
1x1 convolution to the logits: one per pixel for binary data (a sigmoid, as in the paper's MNIST model),
K per pixel for K-level data (a K-way softmax). The mask-B 1x1 output convolutions are plain 1x1
convolutions here: with one channel, mask B allows every connection.

Sampling is naive only (one full forward per pixel; `generate` uses it too). A cache whose step reproduced
the full forward bit for bit would have to run each LSTM step, and the convolutions around it, on exactly
the shapes of the whole-image forward (a per-pixel or per-row step computes the same sums through other
kernels, so its logits would differ in the last bits and the `cached` sampler could draw other samples
than `naive`), and the Diagonal BiLSTM's right-to-left direction must be rerun over each new row anyway;
none is offered.
"""

from __future__ import annotations

from typing import Literal

import torch
from pydantic import Field, model_validator
from torch import nn
from torch.nn import functional as F

from genzoo_explicit_likelihood.autoregressive.base import AutoregressiveConfig, AutoregressiveModel
from genzoo_explicit_likelihood.autoregressive.pixelrnn_layers import (DiagonalBiLSTM, MaskedConv2d, ResidualLSTM,
                                                                       RowLSTM)


class PixelRNNConfig(AutoregressiveConfig):
    cell: Literal["row-lstm", "diagonal-bilstm"] = Field("diagonal-bilstm", description="The recurrent layer: "
                                                          "Row LSTM (rows at a time, triangular context) or Diagonal "
                                                          "BiLSTM (diagonals at a time, the whole past).")
    layers: int = Field(2, ge=1, le=16, description="LSTM layers (the paper's MNIST model: 7).")
    hidden: int = Field(16, ge=1, le=1024, description="h: LSTM units per layer; the residual stream has 2h "
                        "features (the paper's MNIST model: 16).")
    output_hidden: int = Field(32, ge=1, le=4096, description="Features of the hidden 1x1 output layer.")
    input_kernel: int = Field(7, ge=1, le=15, description="Size of the mask-A input convolution (odd).")
    row_kernel: int = Field(3, ge=1, le=15, description="Row LSTM only: width k of its input-to-state and "
                            "state-to-state convolutions (odd).")

    @model_validator(mode="after")
    def _single_channel_raster_images(self) -> PixelRNNConfig:
        shape = tuple(self.data.shape)
        if len(shape) != 3 or shape[0] != 1:
            raise ValueError(f"pixelrnn models single-channel images shaped (1, H, W); the data are {shape}")
        if self.order != "raster":
            raise ValueError("pixelrnn generates pixels in raster order only (order='raster')")
        for name in ("input_kernel", "row_kernel"):
            if getattr(self, name) % 2 == 0:
                raise ValueError(f"{name} must be odd, got {getattr(self, name)}")
        return self


class PixelRNN(AutoregressiveModel):
    config_class = PixelRNNConfig

    def __init__(self, config: PixelRNNConfig):
        super().__init__(config)
        hidden, channels = config.hidden, 2 * config.hidden
        self.input_conv = MaskedConv2d(1, channels, config.input_kernel)
        self.lstm_layers = nn.ModuleList(
            ResidualLSTM(RowLSTM(channels, hidden, config.row_kernel) if config.cell == "row-lstm"
                         else DiagonalBiLSTM(channels, hidden), hidden, channels)
            for _ in range(config.layers))
        self.output_hidden = nn.Conv2d(channels, config.output_hidden, 1)
        self.output = nn.Conv2d(config.output_hidden, 1 if self.num_values == 2 else self.num_values, 1)

    def image_features(self, image: torch.Tensor) -> torch.Tensor:
        """(n, 2h, H, W) features of the last LSTM layer from a float image (n, 1, H, W) of values in [-1, 1]:
        position (i, j) depends only on the pixels before it in raster order (tests differentiate it)."""
        features = self.input_conv(image)
        for layer in self.lstm_layers:
            features = layer(features)
        return features

    def image_logits(self, image: torch.Tensor) -> torch.Tensor:
        """(n, K', H, W) logits (K' = 1 for binary data): the 1x1 output layers on `image_features`."""
        return self.output(F.relu(self.output_hidden(F.relu(self.image_features(image)))))

    def element_logits(self, sequence, condition=None):
        n = len(sequence)
        scale = 2.0 / (self.num_values - 1)
        image = (sequence.to(self.input_conv.weight.dtype) * scale - 1).reshape(n, *self.data_spec.shape)
        logits = self.image_logits(image).reshape(n, -1, self.sequence_length).transpose(1, 2)
        return torch.cat([torch.zeros_like(logits), logits], dim=-1) if self.num_values == 2 else logits
