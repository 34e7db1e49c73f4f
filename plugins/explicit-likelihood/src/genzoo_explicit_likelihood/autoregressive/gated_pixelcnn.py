"""Gated PixelCNN (van den Oord et al. 2016b, Conditional Image Generation with PixelCNN Decoders).

Two stacks remove the original PixelCNN's blind spot. The *vertical* stack at pixel (i, j) sees the rows
strictly above it (all columns within the kernel's reach); the *horizontal* stack sees the pixels strictly
to its left in its row plus, through a 1x1 link, the vertical stack at the same pixel. (The paper's vertical
convolution covers the current row and shifts its output down one row; here the vertical features of
(i, j) already are the shifted ones, so they depend on rows < i only.) Every layer's activation is gated,
tanh(a) * sigmoid(b), with a class-dependent bias added to both stacks' pre-activations when
`num_classes` is set (the paper's V^T h with a one-hot h); the horizontal stack is residual after its 1x1
output convolution. The first layer (kernel `first_kernel`) sees no input pixel at (i, j) (mask A); later
layers (kernel `kernel`) read the previous layer at (i, j) too (mask B). A ReLU-1x1-ReLU-1x1 head on the
horizontal stack gives K logits per pixel.

Fast sampling (Ramachandran et al. 2017): at the first pixel of row i the vertical stack of every layer is
computed for the whole row i (it needs rows < i only), then each pixel computes only its own horizontal
position in each layer. Both go through `masked_conv.TapConv` on cached zero-padded inputs, so the cached
log-probabilities equal the teacher-forced ones bit for bit on CPU.

Classifier-free guidance (Ho & Salimans 2022, as Parti and other AR image models use it): trained with
`label_dropout` p > 0, a label is dropped with probability p, i.e. the class biases are left out (label
`NULL_LABEL`), so the same network also learns p(x). The samplers' `guidance_scale` w then draws each
pixel from softmax(log p(x_t | x_<t) + w (log p(x_t | x_<t, y) - log p(x_t | x_<t))), w = 1 being the
model's own p(x | y).

With `num_classes=None` the model is unconditional: labels it is handed (training batches carry them) are
unused, since its p(x | y) is p(x); `balanced_condition` is then None, so previews and metrics sample it
unconditionally.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from pydantic import Field, model_validator
from torch import nn
from torch.nn import functional as F

from genzoo import Capability
from genzoo.plugin import CapabilityError
from genzoo_explicit_likelihood.autoregressive.masked_conv import PaddedBuffer, Pointwise, TapConv, fitting, gate
from genzoo_explicit_likelihood.autoregressive.pixelcnn import ImageAutoregressiveConfig, ImageAutoregressiveModel
from genzoo_explicit_likelihood.autoregressive.threads import single_threaded


NULL_LABEL = -1  # "no label": the class biases are left out (label dropout, guidance's unconditional half)


class GatedPixelCNNConfig(ImageAutoregressiveConfig):
    layers: int = Field(12, ge=1, description="Gated layers after the first.")
    num_classes: int | None = Field(None, ge=2, description="Class-conditional on labels 0..num_classes-1 (the "
                                    "data's num_classes); None: unconditional.")
    label_dropout: float = Field(0.0, ge=0.0, lt=1.0, description="While training, leave each label out with this "
                                 "probability, so the model also learns p(x) and can be sampled with guidance_scale.")

    @model_validator(mode="after")
    def _classes_match_the_data(self):
        if self.num_classes is not None and self.data.num_classes != self.num_classes:
            raise ValueError(f"num_classes={self.num_classes} needs data with num_classes={self.num_classes} "
                             f"(the data has {self.data.num_classes})")
        if self.label_dropout and self.num_classes is None:
            raise ValueError("label_dropout needs a class-conditional model (num_classes)")
        return self


def vertical_taps(kernel: int, first: bool) -> tuple[tuple[int, int], ...]:
    """Rows above within the kernel (the first layer) or those and the previous layer's same row (later
    layers, whose vertical inputs already depend on rows above only), all kernel columns."""
    half = kernel // 2
    last = -1 if first else 0
    return tuple((di, dj) for di in range(-half, last + 1) for dj in range(-half, half + 1))


def horizontal_taps(kernel: int, first: bool) -> tuple[tuple[int, int], ...]:
    """Pixels strictly to the left within the kernel, plus the same pixel after the first layer."""
    half = kernel // 2
    return tuple((0, dj) for dj in range(-half, 0 if first else 1))


class GatedLayer(nn.Module):
    """One layer of both stacks; channel-last maps, the vertical stack row-wise, the horizontal any region."""

    def __init__(self, in_channels: int, channels: int, kernel: int, first: bool, num_classes: int | None):
        super().__init__()
        self.residual = not first
        self.vertical = TapConv(vertical_taps(kernel, first), in_channels, 2 * channels)
        self.horizontal = TapConv(horizontal_taps(kernel, first), in_channels, 2 * channels)
        self.link = Pointwise(2 * channels, 2 * channels)
        self.out = Pointwise(channels, channels)
        self.vertical_class = self.horizontal_class = None
        if num_classes is not None:
            self.vertical_class = nn.Parameter(torch.randn(num_classes, 2 * channels) * 0.1)
            self.horizontal_class = nn.Parameter(torch.randn(num_classes, 2 * channels) * 0.1)

    @staticmethod
    def _class_bias(table: torch.Tensor | None, labels: torch.Tensor | None) -> torch.Tensor | float:
        """The labels' rows of `table` as (n, 1, 1, 2C); zero rows for NULL_LABEL (a dropped label)."""
        if table is None:
            return 0.0
        kept = (labels != NULL_LABEL).unsqueeze(-1).to(table.dtype)
        return (table[labels.clamp(min=0)] * kept)[:, None, None, :]

    def vertical_pre(self, padded: torch.Tensor, rows: slice, width: int, labels) -> torch.Tensor:
        """The vertical stack's pre-activation (n, h, W, 2C) at `rows`, from its padded input."""
        return self.vertical(padded, rows, slice(0, width)) + self._class_bias(self.vertical_class, labels)

    def horizontal_out(self, padded: torch.Tensor, rows: slice, cols: slice, link: torch.Tensor, labels,
                       previous: torch.Tensor) -> torch.Tensor:
        """The horizontal stack's output at rows x cols from its padded input, the linked vertical features
        `link` (the same region) and the previous layer's output there (the residual)."""
        pre = self.horizontal(padded, rows, cols) + link + self._class_bias(self.horizontal_class, labels)
        out = self.out(gate(pre, exact=not fitting(self)))
        return previous + out if self.residual else out


@dataclass
class GatedCache:
    """Padded inputs of both stacks for every layer, the current row's linked vertical features and labels."""

    vertical: list[PaddedBuffer]
    horizontal: list[PaddedBuffer]
    links: list[torch.Tensor | None]
    labels: torch.Tensor | None


class GatedPixelCNN(ImageAutoregressiveModel):
    config_class = GatedPixelCNNConfig
    capabilities = ImageAutoregressiveModel.capabilities | {Capability.CONDITIONAL}

    def __init__(self, config: GatedPixelCNNConfig):
        super().__init__(config)
        channels, classes = config.channels, config.num_classes
        self.layers = nn.ModuleList(
            [GatedLayer(1, channels, config.first_kernel, True, classes)]
            + [GatedLayer(channels, channels, config.kernel, False, classes) for _ in range(config.layers)])
        self.head_hidden = Pointwise(channels, config.head_channels)
        self.head_out = Pointwise(config.head_channels, self.num_values)

    def balanced_condition(self, n):
        return None if self.config.num_classes is None else super().balanced_condition(n)

    def null_condition(self, n: int) -> torch.Tensor:
        if not self.config.label_dropout:
            return super().null_condition(n)
        return torch.full((n,), NULL_LABEL, dtype=torch.long, device=self.device)

    def labels(self, condition: torch.Tensor | None, n: int) -> torch.Tensor | None:
        """The (n,) labels of a class-conditional model (a CapabilityError when missing); None when unconditional.
        NULL_LABEL (p(x) without a label) is accepted from a model trained with label dropout; while fitting,
        each label is dropped with probability `label_dropout`."""
        if self.config.num_classes is None:
            return None
        if condition is None:
            raise CapabilityError(f"{self.name!r} is class-conditional (num_classes={self.config.num_classes}): "
                                  "give class labels as the condition")
        labels = torch.as_tensor(condition, device=self.device).long().reshape(-1)
        lowest = NULL_LABEL if self.config.label_dropout else 0
        if labels.numel() not in (1, n) or labels.min() < lowest or labels.max() >= self.config.num_classes:
            raise CapabilityError(f"the condition must be 1 or {n} labels in 0..{self.config.num_classes - 1}")
        labels = labels.expand(n)
        if self.config.label_dropout and fitting(self):
            dropped = torch.rand(n, device=labels.device) < self.config.label_dropout
            labels = labels.masked_fill(dropped, NULL_LABEL)
        return labels

    def head(self, x: torch.Tensor) -> torch.Tensor:
        return self.head_out(F.relu(self.head_hidden(F.relu(x))))

    def image_logits(self, sequence, condition=None):
        n = len(sequence)
        labels = self.labels(condition, n)
        rows, cols = slice(0, self.image_size[0]), slice(0, self.image_size[1])
        vertical = horizontal = self.image(sequence)
        for index, layer in enumerate(self.layers):
            pre = layer.vertical_pre(layer.vertical.pad(vertical), rows, cols.stop, labels)
            horizontal = layer.horizontal_out(layer.horizontal.pad(horizontal), rows, cols, layer.link(pre), labels,
                                              horizontal)
            if index + 1 < len(self.layers):
                vertical = gate(pre, exact=not fitting(self))
        return self.head(horizontal).reshape(n, self.sequence_length, self.num_values)

    def start_cache(self, n, condition=None) -> GatedCache:
        channels = [1] + [self.config.channels] * (len(self.layers) - 1)
        return GatedCache([self.buffer(layer.vertical, n, c) for layer, c in zip(self.layers, channels, strict=True)],
                          [self.buffer(layer.horizontal, n, c) for layer, c in zip(self.layers, channels, strict=True)],
                          [None] * len(self.layers), self.labels(condition, n))

    @single_threaded
    def step_logits(self, cache: GatedCache, position, previous):
        rows, cols = self.position(position)
        if previous is not None:
            value = self.pixel_values(previous).reshape(-1, 1, 1, 1)
            for buffer in (cache.vertical[0], cache.horizontal[0]):
                buffer.write(*self.position(position - 1), value)
        if cols.start == 0:
            self._vertical_row(cache, rows)
        horizontal = None
        for index, layer in enumerate(self.layers):
            buffer = cache.horizontal[index]
            if index:
                buffer.write(rows, cols, horizontal)
            link = cache.links[index][:, :, cols]
            horizontal = layer.horizontal_out(buffer.data, rows, cols, link, cache.labels, horizontal)
        return self.log_probs_of(self.head(horizontal).reshape(len(horizontal), self.num_values))

    def _vertical_row(self, cache: GatedCache, rows: slice) -> None:
        """Every layer's vertical stack on row `rows` (its inputs, rows above, are complete): the linked
        features go to `cache.links`, the gated outputs into the next layer's vertical input."""
        width = self.image_size[1]
        for index, layer in enumerate(self.layers):
            pre = layer.vertical_pre(cache.vertical[index].data, rows, width, cache.labels)
            cache.links[index] = layer.link(pre)
            if index + 1 < len(self.layers):
                cache.vertical[index + 1].write(rows, slice(0, width), gate(pre))
