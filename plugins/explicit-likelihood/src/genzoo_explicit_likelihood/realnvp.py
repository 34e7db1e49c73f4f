"""RealNVP (Dinh, Sohl-Dickstein & Bengio 2017): a normalizing flow of affine couplings.

log p(x) = log N(f(x); 0, I) + log|det df/dx| exactly, where f chains couplings (each transforms the
features its mask frees, using a net of the features it keeps) with permutations or squeezes in
between; sampling runs f backwards from Gaussian noise. Two layouts:

- "vector": couplings over the flattened example with MLP nets, alternately keeping its first and
  its last half (2D toys, flattened digits), optionally a mixing layer between consecutive pairs;
- "multiscale" (images): per level, checkerboard couplings, a squeeze to 4x the channels, channel
  couplings, then half the channels are factored out to the base distribution and the rest go on to
  the next level, whose last one uses checkerboard couplings only (the paper's section 3.6).

Bounded data (a DataSpec with a value_range, e.g. images in [0, 1]) first go through a logit
transform whose Jacobian is part of log_prob, so densities, and bits/dim, are those of the data. Its
margin alpha (the paper's 0.05) widens the flow's support by alpha / (1 - 2 alpha) of the range on
each side; `generate` clamps the samples that land there. log_prob is the flow's exact density, so
on the data range it integrates to that range's share (slightly below 1): bits/dim measured with it
are a valid, slightly conservative, upper bound (tested in tests/test_realnvp.py).
"""

from __future__ import annotations

from typing import Literal

import torch
from genzoo import DataSpec, ModelConfig
from pydantic import Field, model_validator

from genzoo_explicit_likelihood.flows.actnorm import ActNorm
from genzoo_explicit_likelihood.flows.base import StandardNormal
from genzoo_explicit_likelihood.flows.coupling import (
    AffineCoupling,
    SplitAffineCoupling,
    channel_mask,
    checkerboard_mask,
)
from genzoo_explicit_likelihood.flows.invertible_conv import InvertibleConv1x1
from genzoo_explicit_likelihood.flows.layer import FlowLayer, FlowSequence
from genzoo_explicit_likelihood.flows.model import FlowModel, require_continuous_float32
from genzoo_explicit_likelihood.flows.multiscale import FactorOut
from genzoo_explicit_likelihood.flows.nets import MLP, Activation, ConvNet
from genzoo_explicit_likelihood.flows.permutation import RandomPermutation, ReversePermutation
from genzoo_explicit_likelihood.flows.preprocess import LogitTransform
from genzoo_explicit_likelihood.flows.squeeze import Squeeze, Unsqueeze


class RealNVPConfig(ModelConfig):
    data: DataSpec = DataSpec(shape=(2,), value_range=None)
    layout: Literal["auto", "vector", "multiscale"] = Field(
        "auto", description="auto: multiscale for (C, H, W) images whose H and W can halve levels - 1 times, else vector.")
    couplings: int = Field(8, ge=1, description="vector: couplings in all; multiscale: couplings of each mask kind "
                                                "per level (the last level has couplings + 1 checkerboard ones).")
    levels: int = Field(2, ge=1, description="multiscale: number of scales.")
    hidden: int = Field(64, ge=1, description="Width of the coupling nets (units or channels).")
    hidden_layers: int = Field(2, ge=1, description="Hidden layers of each coupling net.")
    activation: Activation = "relu"
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="Dropout inside the coupling nets (small data sets).")
    scale_bound: float = Field(2.0, gt=0.0, description="|log-scale| of each coupling stays below this (soft tanh clamp).")
    mixing: Literal["none", "reverse", "random", "lu"] = Field(
        "none", description="vector: a layer between consecutive pairs of couplings that mixes the features: a fixed "
                            "permutation (reverse, or random seeded by its index) or a learned invertible linear "
                            "map (lu: Glow's LU-decomposed 1x1 convolution).")
    actnorm: bool = Field(False, description="An ActNorm (Glow) before every coupling, initialised on the first batch.")
    logit_alpha: float = Field(0.05, gt=0.0, lt=0.5, description="Logit transform margin for bounded data.")

    @model_validator(mode="after")
    def _fits_the_data(self) -> RealNVPConfig:
        require_continuous_float32(self.data, "RealNVP")
        if self.resolved_layout == "vector" and self.data.dim < 2:
            raise ValueError("a RealNVP on vectors needs at least 2 features (a coupling keeps some and changes others)")
        if self.layout == "multiscale" and not self._multiscale_fits():
            raise ValueError(f"layout 'multiscale' with {self.levels} levels needs (C, H, W) images with H and W "
                             f"divisible by {2 ** (self.levels - 1)}, got shape {self.data.shape}")
        return self

    def _multiscale_fits(self) -> bool:
        """Every level but the last squeezes, so H and W must halve levels - 1 times."""
        step = 2 ** (self.levels - 1)
        shape = self.data.shape
        return len(shape) == 3 and shape[1] % step == 0 and shape[2] % step == 0

    @property
    def resolved_layout(self) -> Literal["vector", "multiscale"]:
        if self.layout != "auto":
            return self.layout
        return "multiscale" if self._multiscale_fits() else "vector"


class RealNVP(FlowModel):
    """log_prob, generate and generate_tempered come from FlowModel; this class builds the flow."""

    config_class = RealNVPConfig

    def __init__(self, config: RealNVPConfig):
        super().__init__(config)
        layers: list[FlowLayer] = []
        if config.data.value_range is not None:
            layers.append(LogitTransform(config.logit_alpha, config.data.value_range))
        if config.resolved_layout == "vector":
            layers.append(_VectorFlow(config))
        else:
            layers.append(_level(config, config.data.shape, 0))
        self.flow = FlowSequence(layers)
        self.base = StandardNormal()


class _VectorFlow(FlowLayer):
    """Flattens each example, applies couplings that alternately keep the first and the last half of the
    features (and permutations), and reshapes back."""

    def __init__(self, config: RealNVPConfig):
        super().__init__()
        dim = config.data.dim
        split = (dim + 1) // 2
        layers: list[FlowLayer] = []
        for index in range(config.couplings):
            if config.actnorm:
                layers.append(ActNorm(dim))
            keep = "first" if index % 2 == 0 else "last"
            kept = split if keep == "first" else dim - split
            net = MLP(kept, 2 * (dim - kept), config.hidden, config.hidden_layers, activation=config.activation,
                      dropout=config.dropout)
            layers.append(SplitAffineCoupling(split, net, keep=keep, scale_bound=config.scale_bound))
            if index % 2 == 1 and index < config.couplings - 1 and config.mixing != "none":
                layers.append(_mixing(config.mixing, dim, index))
        self.layers = FlowSequence(layers)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        z, log_det = self.layers(x.flatten(1), context)
        return z.reshape(x.shape), log_det

    def inverse(self, z: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        return self.layers.inverse(z.flatten(1), context).reshape(z.shape)


def _mixing(kind: str, dim: int, index: int) -> FlowLayer:
    if kind == "reverse":
        return ReversePermutation(dim)
    if kind == "random":
        return RandomPermutation(dim, seed=index)
    return InvertibleConv1x1(dim)


def _couplings(config: RealNVPConfig, shape: tuple[int, int, int], masks: list[torch.Tensor]) -> list[FlowLayer]:
    """One conv-net coupling per mask on images of `shape` (each after an ActNorm when configured)."""
    channels = shape[0]
    layers: list[FlowLayer] = []
    for mask in masks:
        if config.actnorm:
            layers.append(ActNorm(channels))
        net = ConvNet(channels, 2 * channels, config.hidden, config.hidden_layers, activation=config.activation,
                      dropout=config.dropout)
        layers.append(AffineCoupling(mask, net, scale_bound=config.scale_bound))
    return layers


def _level(config: RealNVPConfig, shape: tuple[int, int, int], index: int) -> FlowSequence:
    """Level `index` of the multi-scale flow on images of `shape`; it recurses into the next levels."""
    channels, height, width = shape
    if index == config.levels - 1:
        return FlowSequence(_couplings(config, shape, [checkerboard_mask(shape, i % 2) for i in range(config.couplings + 1)]))
    squeezed = (4 * channels, height // 2, width // 2)
    layers = _couplings(config, shape, [checkerboard_mask(shape, i % 2) for i in range(config.couplings)])
    layers.append(Squeeze())
    layers += _couplings(config, squeezed, [channel_mask(squeezed, i % 2) for i in range(config.couplings)])
    half = (2 * channels, height // 2, width // 2)
    layers += [FactorOut(_level(config, half, index + 1), keep=2 * channels), Unsqueeze()]
    return FlowSequence(layers)
