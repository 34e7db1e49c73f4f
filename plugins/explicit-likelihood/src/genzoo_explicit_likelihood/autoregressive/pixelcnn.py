"""PixelCNN (van den Oord, Kalchbrenner & Kavukcuoglu 2016a, Pixel Recurrent Neural Networks, section 3.5).

A 7x7 convolution with mask A (each pixel sees the rows above and the pixels to its left, not itself), then
residual blocks (ReLU, 1x1 to h channels, ReLU, 3x3 mask B (the pixel itself too), ReLU, 1x1 back to 2h,
added to the block's input), then a ReLU-1x1-ReLU-1x1 head to K logits per pixel: one logit pair for binary
data, a K-way softmax for K-level data (256 on MNIST levels, 17 on digits). Single-channel images only.

This is the original PixelCNN, **without the blind-spot fix**: stacked masked kernels never reach the pixels
above and to the right of a growing triangle (van den Oord et al. 2016b, figure 1), which the Gated PixelCNN
(`gated_pixelcnn.py`) repairs with its two stacks.

Convolutions run through `masked_conv.TapConv` (gathered taps @ weight), so the cached sampler, which computes
each layer only at the new pixel (Ramachandran et al. 2017), reproduces the teacher-forced forward bit for
bit on CPU; see that module. `ImageAutoregressiveModel` is the base both PixelCNNs share.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from pydantic import Field, model_validator
from torch import nn
from torch.nn import functional as F

from genzoo_explicit_likelihood.autoregressive.base import AutoregressiveConfig, AutoregressiveModel
from genzoo_explicit_likelihood.autoregressive.masked_conv import PaddedBuffer, Pointwise, TapConv, mask_a, mask_b
from genzoo_explicit_likelihood.autoregressive.threads import single_threaded


EVAL_CHUNK = 32  # examples per whole-image forward when no gradients are taken (see element_logits)


class ImageAutoregressiveConfig(AutoregressiveConfig):
    """Single-channel images in raster order (the masks encode that order)."""

    channels: int = Field(64, ge=1, description="Feature channels of the stacks.")
    layers: int = Field(7, ge=1, description="Masked layers after the first (residual blocks or gated layers).")
    first_kernel: int = Field(7, ge=1, description="Kernel size of the first (mask A) layer; odd.")
    kernel: int = Field(3, ge=1, description="Kernel size of the later (mask B) layers; odd.")
    head_channels: int = Field(64, ge=1, description="Hidden channels of the 1x1 output head.")

    @model_validator(mode="after")
    def _raster_images(self):
        shape = tuple(self.data.shape)
        if len(shape) != 3 or shape[0] != 1:
            raise ValueError(f"PixelCNNs model single-channel images shaped (1, H, W), got data shape {shape}")
        if self.order != "raster":
            raise ValueError("PixelCNNs sample in raster order (their masks encode it): set order=raster")
        if self.first_kernel % 2 == 0 or self.kernel % 2 == 0:
            raise ValueError(f"kernel sizes must be odd, got first_kernel={self.first_kernel}, kernel={self.kernel}")
        return self


class ImageAutoregressiveModel(AutoregressiveModel):
    """What both PixelCNNs share: pixels in and out of channel-last maps, the cache's input buffers."""

    config_class = ImageAutoregressiveConfig
    default_sampler = "cached"
    has_cache = True

    @property
    def image_size(self) -> tuple[int, int]:
        return tuple(self.data_spec.shape[1:])

    def pixel_values(self, sequence: torch.Tensor) -> torch.Tensor:
        """Value indices (...) as network inputs in [0, 1] (index / (K - 1)); zero padding reads as value 0."""
        return sequence.to(self.dtype) / (self.num_values - 1)

    def image(self, sequence: torch.Tensor) -> torch.Tensor:
        """(n, L) value indices as a channel-last input map (n, H, W, 1)."""
        return self.pixel_values(sequence).reshape(len(sequence), *self.image_size, 1)

    def log_probs_of(self, logits: torch.Tensor) -> torch.Tensor:
        """Per-pixel log-probabilities from (..., K) logits: the one place both paths form them."""
        return F.log_softmax(logits.float(), dim=-1)

    @single_threaded
    def element_log_probs(self, sequence, condition=None):
        return self.log_probs_of(self.element_logits(sequence, condition))

    def element_logits(self, sequence, condition=None):
        """`image_logits`; without gradients in chunks of `EVAL_CHUNK` examples, which gives the same bits (every
        GEMM row is computed alike whatever the row count, see masked_conv) in a fraction of the memory: the
        gathered patches of a 500-image evaluation batch would take ~300 MB per layer."""
        if torch.is_grad_enabled() or len(sequence) <= EVAL_CHUNK:
            return self.image_logits(sequence, condition)
        labels = condition
        if condition is not None:
            labels = torch.as_tensor(condition, device=sequence.device).reshape(-1)
            if labels.numel() not in (1, len(sequence)):
                return self.image_logits(sequence, condition)  # whose error (or indifference) it is
            labels = labels.expand(len(sequence))
        return torch.cat([self.image_logits(sequence[start:start + EVAL_CHUNK],
                                            None if labels is None else labels[start:start + EVAL_CHUNK])
                          for start in range(0, len(sequence), EVAL_CHUNK)])

    def image_logits(self, sequence: torch.Tensor, condition: torch.Tensor | None) -> torch.Tensor:
        """(n, L, K) logits of every pixel from one whole-image forward."""
        raise NotImplementedError

    def position(self, t: int) -> tuple[slice, slice]:
        """Element t's pixel as one-element row and column slices."""
        i, j = divmod(t, self.image_size[1])
        return slice(i, i + 1), slice(j, j + 1)

    def buffer(self, conv: TapConv, n: int, channels: int) -> PaddedBuffer:
        return PaddedBuffer(conv, n, *self.image_size, channels, like=conv.weight)


class PixelCNNConfig(ImageAutoregressiveConfig):
    channels: int = Field(64, ge=1, description="h: residual blocks carry 2h channels and compute at h.")
    layers: int = Field(7, ge=1, description="Residual blocks with a mask B convolution.")


class ResidualBlock(nn.Module):
    """x + 1x1(ReLU(maskB(ReLU(1x1(ReLU(x)))))), the paper's figure 5 (2h -> h -> h -> 2h)."""

    def __init__(self, channels: int, kernel: int):
        super().__init__()
        self.reduce = Pointwise(2 * channels, channels)
        self.masked = TapConv(mask_b(kernel), channels, channels)
        self.expand = Pointwise(channels, 2 * channels)

    def masked_input(self, x: torch.Tensor) -> torch.Tensor:
        """What the mask B convolution reads, per position: ReLU(1x1(ReLU(x)))."""
        return F.relu(self.reduce(F.relu(x)))

    def finish(self, x: torch.Tensor, masked: torch.Tensor) -> torch.Tensor:
        return x + self.expand(F.relu(masked))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.finish(x, self.masked.whole(self.masked_input(x)))


@dataclass
class PixelCNNCache:
    """The zero-padded inputs of every masked convolution, filled pixel by pixel."""

    pixels: PaddedBuffer
    blocks: list[PaddedBuffer]


class PixelCNN(ImageAutoregressiveModel):
    config_class = PixelCNNConfig

    def __init__(self, config: PixelCNNConfig):
        super().__init__(config)
        width = 2 * config.channels
        self.first = TapConv(mask_a(config.first_kernel), 1, width)
        self.blocks = nn.ModuleList(ResidualBlock(config.channels, config.kernel) for _ in range(config.layers))
        self.head_hidden = Pointwise(width, config.head_channels)
        self.head_out = Pointwise(config.head_channels, self.num_values)

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head_out(F.relu(self.head_hidden(F.relu(x))))

    def image_logits(self, sequence, condition=None):
        x = self.first.whole(self.image(sequence))
        for block in self.blocks:
            x = block(x)
        return self.head(x).reshape(len(sequence), self.sequence_length, self.num_values)

    def start_cache(self, n, condition=None) -> PixelCNNCache:
        channels = self.config.channels
        return PixelCNNCache(self.buffer(self.first, n, 1), [self.buffer(b.masked, n, channels) for b in self.blocks])

    @single_threaded
    def step_logits(self, cache: PixelCNNCache, position, previous):
        if previous is not None:
            cache.pixels.write(*self.position(position - 1), self.pixel_values(previous).reshape(-1, 1, 1, 1))
        rows, cols = self.position(position)
        x = self.first(cache.pixels.data, rows, cols)
        for block, buffer in zip(self.blocks, cache.blocks, strict=True):
            buffer.write(rows, cols, block.masked_input(x))
            x = block.finish(x, block.masked(buffer.data, rows, cols))
        return self.log_probs_of(self.head(x).reshape(len(x), self.num_values))

