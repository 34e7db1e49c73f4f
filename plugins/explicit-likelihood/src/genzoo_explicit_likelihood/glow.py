"""Glow (Kingma & Dhariwal 2018): a multi-scale flow of actnorm, invertible 1x1 convolutions and
affine couplings, with an exact log-likelihood.

Images in [low, high] first go through a logit transform (with its Jacobian, so densities and
bits/dim are those of the data). Then `levels` levels each squeeze 2x2 blocks into channels and
apply `steps_per_level` steps of [ActNorm, InvertibleConv1x1 (LU), affine coupling]; between
levels half the channels are factored out to the base N(0, I). The coupling network is Glow's
conv3x3 -> ReLU -> conv1x1 -> ReLU -> conv3x3 with a zero-initialised last layer, so every
coupling starts as a fixed contraction; its log-scale is log sigmoid(raw + 2) < 0, so the forward
pass (log_prob, training) cannot blow up. The inverse divides by sigmoid(raw + 2), which has no lower
bound, so sampling far in the base's tail (temperature > 1) can overflow: generate refuses non-finite
samples and the temperature sampler stops at 1.
Unlike the paper the factored-out latents use a standard normal rather than a learned prior.
"""

from __future__ import annotations

from genzoo import DataSpec, ModelConfig
from pydantic import Field, model_validator
from torch import nn

from genzoo_explicit_likelihood.flows.actnorm import ActNorm
from genzoo_explicit_likelihood.flows.base import StandardNormal
from genzoo_explicit_likelihood.flows.coupling import AffineCoupling, channel_mask
from genzoo_explicit_likelihood.flows.invertible_conv import InvertibleConv1x1
from genzoo_explicit_likelihood.flows.layer import FlowLayer, FlowSequence
from genzoo_explicit_likelihood.flows.model import FlowModel, require_continuous_float32
from genzoo_explicit_likelihood.flows.multiscale import multi_scale
from genzoo_explicit_likelihood.flows.nets import zero_init
from genzoo_explicit_likelihood.flows.preprocess import LogitTransform


class GlowConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(1, 28, 28), levels=256)
    levels: int = Field(2, ge=1, description="Multi-scale levels L; height and width must divide by 2**L.")
    steps_per_level: int = Field(8, ge=1, description="Steps K of [actnorm, 1x1 conv, coupling] per level.")
    hidden_channels: int = Field(64, ge=1, description="Width of each coupling network.")
    logit_alpha: float = Field(0.05, gt=0.0, lt=0.5, description="Margin of the logit transform for bounded data.")

    @model_validator(mode="after")
    def _image_fits_levels(self) -> GlowConfig:
        require_continuous_float32(self.data, "Glow")
        shape = self.data.shape
        if len(shape) != 3:
            raise ValueError(f"glow models images (C, H, W); got data shape {shape}")
        side = 2**self.levels
        if shape[1] % side or shape[2] % side:
            raise ValueError(f"{self.levels} levels need height and width divisible by {side}; got {shape[1]}x{shape[2]}")
        return self


def coupling_net(channels: int, hidden: int) -> nn.Sequential:
    """Glow's coupling network: (channels) -> (2 * channels) = (shift, raw log-scale), starting at zero."""
    last = zero_init(nn.Conv2d(hidden, 2 * channels, 3, padding=1))  # built first: keeps seeded inits as published
    return nn.Sequential(
        nn.Conv2d(channels, hidden, 3, padding=1), nn.ReLU(),
        nn.Conv2d(hidden, hidden, 1), nn.ReLU(),
        last,
    )


def glow_step(channels: int, height: int, width: int, hidden: int, parity: int) -> list[FlowLayer]:
    """One step of flow: actnorm, LU 1x1 convolution, sigmoid-scaled affine coupling on half the channels."""
    mask = channel_mask((channels, height, width), parity)
    return [
        ActNorm(channels),
        InvertibleConv1x1(channels, lu=True),
        AffineCoupling(mask, coupling_net(channels, hidden), scale="sigmoid"),
    ]


class Glow(FlowModel):
    """Builds the flow; log_prob, generate and generate_tempered come from FlowModel."""

    config_class = GlowConfig

    def __init__(self, config: GlowConfig):
        super().__init__(config)
        spec = config.data
        channels, height, width = spec.shape

        def level_steps(level: int, level_channels: int) -> list[FlowLayer]:
            scale = 2 ** (level + 1)
            return [layer for k in range(config.steps_per_level)
                    for layer in glow_step(level_channels, height // scale, width // scale, config.hidden_channels, k)]

        layers = [multi_scale(channels, config.levels, level_steps)]
        if spec.value_range is not None:
            layers.insert(0, LogitTransform(config.logit_alpha, spec.value_range))
        self.flow = FlowSequence(layers)
        self.base = StandardNormal()
