"""PixelCNN++ (Salimans, Karpathy, Chen & Kingma 2017) for grey-level images of K levels (256 by default).

What is built, as in the paper and its reference code (openai/pixel-cnn):
- **Discretized logistic mixture likelihood** (`logistic_mixture`): M components per pixel, each logistic
  integrated over its level's bin, the edge bins 0 and K - 1 open to -inf / +inf; `element_log_probs`
  returns the log-probabilities of all K values of every pixel, so the contract's samplers and completion
  work unchanged, and `log_prob` evaluates only the observed values (the same numbers, K times cheaper).
- **Two streams without a blind spot**: `u` (down-shifted convolutions: the rows above) and `ul`
  (down-right-shifted convolutions: above and to the left, fed the `u` stream through a 1 x 1 shortcut).
  The first layer shifts its output down / right, so every pixel sees only pixels before it in raster order.
- **Gated resnet blocks** with concat_elu and dropout (`pixelcnnpp_layers`).
- **Down and up passes**: `downsamples` + 1 stages of `resnets` blocks; strided shifted convolutions halve
  the resolution between stages on the way up, transposed ones double it on the way down, and every
  activation of the up pass feeds the matching block of the down pass (the shortcut connections; the
  down pass's later stages have one block more, for the downsampled maps).
- Input scaled to [-1, 1] with a channel of ones (so the zero padding differs from a black pixel).

Not built: **RGB**. The paper conditions the channels of a pixel on each other (red, then green given
red, then blue given both) through linear coefficients in the mixture means (3 more outputs per
component); grey images (C = 1) need none of it, and this model refuses C != 1. Weight normalisation
with data-dependent initialisation is replaced by PyTorch's default initialisation (small models train
without it). Only the raster order is causal for this architecture.

Sampling: the `naive` sampler only (one full forward per pixel). A cached sampler (Ramachandran et al.
2017's fast PixelCNN++) would keep a queue of activations per layer and resolution, updating the
downsampled stages every other row / column; for it to draw the same samples as `naive` its logits must
equal the full forward's bit for bit, which convolutions computed one position at a time do not give on
CPU (the GEMM paths differ, see `attention.py`), so it is not provided.
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn
from torch.nn import functional as F

from genzoo import DataSpec
from genzoo.plugin import ConfigError, check_inputs
from genzoo_explicit_likelihood.autoregressive.base import AutoregressiveConfig, AutoregressiveModel
from genzoo_explicit_likelihood.autoregressive.logistic_mixture import (MixtureParameters, chosen_log_probs,
                                                                        level_log_probs)
from genzoo_explicit_likelihood.autoregressive.pixelcnnpp_layers import (DownRightShiftedConv, DownRightShiftedDeconv,
                                                                         DownShiftedConv, DownShiftedDeconv,
                                                                         GatedResnet, down_shift, right_shift)

MNIST_LEVELS = DataSpec(shape=(1, 28, 28), kind="discrete", dtype="int64", value_range=(0, 255), levels=256)


class PixelCNNPPConfig(AutoregressiveConfig):
    data: DataSpec = MNIST_LEVELS
    filters: int = Field(32, ge=1, le=1024, description="Channels of every feature map (the paper: 160 on CIFAR-10).")
    resnets: int = Field(1, ge=1, le=16, description="Gated resnet blocks per stage of the up pass (the paper: 5).")
    downsamples: int = Field(2, ge=0, le=6, description="Stride-2 downsamplings between stages (the paper: 2, "
                             "i.e. 3 stages: 28 -> 14 -> 7 on MNIST).")
    components: int = Field(5, ge=1, le=64, description="Logistic mixture components per pixel (the paper: 10).")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="Dropout inside every gated resnet (the paper: 0.5 on "
                           "CIFAR-10; 0 suits small models that underfit in short runs).")


class PixelCNNPP(AutoregressiveModel):
    config_class = PixelCNNPPConfig
    default_sampler = "naive"

    def __init__(self, config: PixelCNNPPConfig):
        super().__init__(config)
        shape = tuple(config.data.shape)
        if len(shape) != 3 or shape[0] != 1:
            raise ConfigError(f"pixelcnnpp models grey images shaped (1, H, W), got {shape}; the RGB channel "
                              "conditioning of the paper is not built")
        if config.order != "raster":
            raise ConfigError("pixelcnnpp is causal in raster order only; drop order=random")
        filters, resnets, stages = config.filters, config.resnets, config.downsamples + 1
        inputs = shape[0] + 1  # the pixels and a channel of ones
        self.u_init = DownShiftedConv(inputs, filters, (2, 3))
        self.ul_init_above = DownShiftedConv(inputs, filters, (1, 3))
        self.ul_init_left = DownRightShiftedConv(inputs, filters, (2, 1))

        def stage(blocks: int, u_shortcuts: int) -> nn.ModuleList:
            return nn.ModuleList(nn.ModuleList([
                GatedResnet(filters, DownShiftedConv, u_shortcuts, config.dropout),
                GatedResnet(filters, DownRightShiftedConv, u_shortcuts + 1, config.dropout),
            ]) for _ in range(blocks))

        self.up = nn.ModuleList(stage(resnets, 0) for _ in range(stages))
        self.down = nn.ModuleList(stage(resnets + (i > 0), 1) for i in range(stages))
        self.downsize_u = nn.ModuleList(DownShiftedConv(filters, filters, (2, 3), 2) for _ in range(stages - 1))
        self.downsize_ul = nn.ModuleList(DownRightShiftedConv(filters, filters, (2, 2), 2) for _ in range(stages - 1))
        self.upsize_u = nn.ModuleList(DownShiftedDeconv(filters) for _ in range(stages - 1))
        self.upsize_ul = nn.ModuleList(DownRightShiftedDeconv(filters) for _ in range(stages - 1))
        self.head = nn.Conv2d(filters, 3 * config.components, 1)

    def mixture_parameters(self, image: torch.Tensor) -> MixtureParameters:
        """The mixture of every pixel, (n, L, M) each in raster order, from images (n, 1, H, W) in [-1, 1]."""
        x = torch.cat([image, torch.ones_like(image[:, :1])], dim=1)
        us = [down_shift(self.u_init(x))]
        uls = [down_shift(self.ul_init_above(x)) + right_shift(self.ul_init_left(x))]
        for index, blocks in enumerate(self.up):
            for u_block, ul_block in blocks:
                us.append(u_block(us[-1]))
                uls.append(ul_block(uls[-1], us[-1]))
            if index < len(self.downsize_u):
                us.append(self.downsize_u[index](us[-1]))
                uls.append(self.downsize_ul[index](uls[-1]))
        u, ul = us.pop(), uls.pop()
        for index, blocks in enumerate(self.down):
            for u_block, ul_block in blocks:
                u = u_block(u, us.pop())
                ul = ul_block(ul, torch.cat([u, uls.pop()], dim=1))
            if index < len(self.upsize_u):
                u = self.upsize_u[index](u, us[-1].shape[2:])
                ul = self.upsize_ul[index](ul, uls[-1].shape[2:])
        raw = self.head(F.elu(ul))
        return MixtureParameters.split(raw.flatten(2).transpose(1, 2), self.config.components)

    def mixture_of_sequence(self, sequence: torch.Tensor) -> MixtureParameters:
        """The mixture of every pixel given value indices (n, L) in raster order."""
        scale = 2.0 / (self.num_values - 1)
        image = (sequence.to(self.head.weight.dtype) * scale - 1).reshape(len(sequence), *self.data_spec.shape)
        return self.mixture_parameters(image)

    def element_log_probs(self, sequence: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """(n, L, K) log-probabilities of every level of every pixel (also valid logits for the samplers)."""
        return level_log_probs(self.mixture_of_sequence(sequence), self.num_values)

    def element_logits(self, sequence: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """The log-probabilities themselves: a normalised head's logits."""
        return self.element_log_probs(sequence, condition)

    def log_prob(self, x: torch.Tensor, *, condition: torch.Tensor | None = None) -> torch.Tensor:
        """Exact log p(x) in nats per example, evaluating each pixel's mixture at its own value only."""
        x = check_inputs(torch.as_tensor(x), self.data_spec, "log_prob input").to(self.device)
        sequence = self.to_sequence(x)
        return chosen_log_probs(sequence, self.mixture_of_sequence(sequence), self.num_values).sum(-1)
