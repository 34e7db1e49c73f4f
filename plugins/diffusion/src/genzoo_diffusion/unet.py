"""A compact UNet denoiser: sinusoidal time embedding, residual blocks, attention at low resolution
and an optional class embedding (with a "no label" entry for classifier-free guidance).

The layout follows Ho et al.'s DDPM UNet (and diffusers' UNet2DModel with the same
`channels`/`blocks_per_level`): per level, `blocks_per_level` residual blocks (plus self-attention
where the level is in `attention_levels`), a strided-conv downsample between levels, a middle
block of res-attention-res, and a mirrored decoder that concatenates the skip connections.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Transformer-style sinusoidal features of (possibly fractional) timesteps, shaped (n, dim)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, device=t.device, dtype=torch.float32) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


def full_precision(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """`module(x)` outside autocast, in the module's own dtype. The UNet's first and last convolutions run so:
    bfloat16 rounding of their weights and of the noisy input shifted sampled images measurably (ddpm-mnist-cond,
    DDIM-50: mean intensity up 3%, pixels at exactly 0 down from 40% to 34%); in float32 they halve the bfloat16
    error of the noise prediction at every timestep, for about 1% of the UNet's multiply-adds."""
    with torch.autocast(x.device.type, enabled=False):
        return module(x.to(next(module.parameters()).dtype))


def group_norm(channels: int, groups: int = 8) -> nn.GroupNorm:
    """GroupNorm with 8 groups (fewer when the width is not a multiple): compact nets have few channels."""
    return nn.GroupNorm(math.gcd(channels, groups), channels, eps=1e-6)


class ResidualBlock(nn.Module):
    """GroupNorm-SiLU-conv twice, with the time (and class) embedding added in between."""

    def __init__(self, in_channels: int, out_channels: int, embedding_dim: int, dropout: float):
        super().__init__()
        self.norm1 = group_norm(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.embedding = nn.Linear(embedding_dim, out_channels)
        self.norm2 = group_norm(out_channels)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.skip = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.embedding(embedding)[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    """Multi-head self-attention over spatial positions, residual."""

    def __init__(self, channels: int, head_dim: int = 32):
        super().__init__()
        self.heads = max(1, channels // head_dim)
        self.norm = group_norm(channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n, 3, self.heads, c // self.heads, h * w).unbind(1)
        # softmax(q^T k / sqrt(d)) v written out: at <= 196 positions it beats scaled_dot_product_attention
        # on CPU, whose checks cost more than the attention itself
        weights = torch.softmax(q.transpose(-1, -2) @ k * (c // self.heads) ** -0.5, dim=-1)
        attended = v @ weights.transpose(-1, -2)
        return x + self.out(attended.reshape(n, c, h, w))


class MeanHead(nn.Module):
    """A per-example constant for each output channel of the UNet (with patch_size p > 1: for each position in
    the p x p patch, i.e. a pattern repeating every p pixels), computed from the last features' spatial means.

    Why: the head's GroupNorm (like every block's) subtracts each group's mean, so without this the UNet can
    hardly make its output depend on a constant offset of its input. At small t the noise prediction must,
    or x_0 keeps the offset: the 23,000-step `ddpm-mnist-cond` (git 03fdeb1, no mean head) kept 89% of a
    constant offset at t = 0 and 50% at t = 20, and 81% / 50% of a period-2 pattern (a constant per channel
    after its 2x2 space-to-depth stem), but only 2-28% of smoother zero-mean patterns
    (`benchmarks/diffusion_offset_response.py`); the background offset its sampling chain builds up stayed in
    the samples as a grey veil. Zero-initialized, so adding it to a trained UNet leaves its output unchanged
    until fine-tuned.
    """

    def __init__(self, channels: int, out_channels: int):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(channels, channels), nn.SiLU(), nn.Linear(channels, out_channels))
        nn.init.zeros_(self.mlp[-1].weight)
        nn.init.zeros_(self.mlp[-1].bias)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.mlp(h.mean((2, 3)))[:, :, None, None]


class Level(nn.Module):
    """Residual blocks of one resolution, each optionally followed by attention."""

    def __init__(self, channel_pairs: list[tuple[int, int]], embedding_dim: int, dropout: float, attention: bool):
        super().__init__()
        self.blocks = nn.ModuleList(ResidualBlock(i, o, embedding_dim, dropout) for i, o in channel_pairs)
        self.attention = nn.ModuleList(SelfAttention(o) if attention else nn.Identity() for _, o in channel_pairs)


class UNet(nn.Module):
    """eps/x0/v predictor for (n, C, H, W) inputs; H and W must be divisible by patch_size * 2^(levels-1)."""

    def __init__(self, in_channels: int, channels: tuple[int, ...], blocks_per_level: int,
                 attention_levels: tuple[int, ...], dropout: float, num_classes: int | None, patch_size: int = 1,
                 mean_path: bool = False):
        super().__init__()
        base = channels[0]
        self.patch_size = patch_size
        in_channels = in_channels * patch_size**2  # patch_size > 1: work on space-to-depth patches (cheaper)
        embedding_dim = 4 * base
        self.base = base
        self.time_mlp = nn.Sequential(nn.Linear(base, embedding_dim), nn.SiLU(), nn.Linear(embedding_dim, embedding_dim))
        # one extra row: the "no label" class that classifier-free guidance trains and samples with
        self.class_embedding = nn.Embedding(num_classes + 1, embedding_dim) if num_classes else None
        self.stem = nn.Conv2d(in_channels, base, 3, padding=1)

        self.down, self.downsample = nn.ModuleList(), nn.ModuleList()
        skips, current = [base], base
        for level, width in enumerate(channels):
            pairs = []
            for _ in range(blocks_per_level):
                pairs.append((current, width))
                current = width
                skips.append(width)
            self.down.append(Level(pairs, embedding_dim, dropout, level in attention_levels))
            last = level == len(channels) - 1
            self.downsample.append(nn.Identity() if last else nn.Conv2d(current, current, 3, stride=2, padding=1))
            if not last:
                skips.append(current)

        self.middle = nn.ModuleList([ResidualBlock(current, current, embedding_dim, dropout), SelfAttention(current),
                                     ResidualBlock(current, current, embedding_dim, dropout)])

        self.up, self.upsample = nn.ModuleList(), nn.ModuleList()
        for level, width in reversed(list(enumerate(channels))):
            pairs = []
            for _ in range(blocks_per_level + 1):
                pairs.append((current + skips.pop(), width))
                current = width
            self.up.append(Level(pairs, embedding_dim, dropout, level in attention_levels))
            self.upsample.append(nn.Conv2d(current, current, 3, padding=1) if level else nn.Identity())
        self.head = nn.Sequential(group_norm(current), nn.SiLU(), nn.Conv2d(current, in_channels, 3, padding=1))
        nn.init.zeros_(self.head[-1].weight)
        nn.init.zeros_(self.head[-1].bias)
        self.mean_head = MeanHead(current, in_channels) if mean_path else None

    def embed(self, t: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        embedding = self.time_mlp(timestep_embedding(t, self.base))
        if self.class_embedding is not None:
            if labels is None:
                labels = torch.full_like(t, self.class_embedding.num_embeddings - 1, dtype=torch.long)
            embedding = embedding + self.class_embedding(labels)
        return embedding

    def forward(self, x: torch.Tensor, t: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        embedding = self.embed(t, labels)
        if self.patch_size > 1:
            x = F.pixel_unshuffle(x, self.patch_size)
        # float32 convolutions and GroupNorm run about 12% faster on channels-last activations on CPU;
        # under bfloat16 autocast the plain layout is faster (about 30%), so it is kept there
        if not torch.is_autocast_enabled(x.device.type):
            x = x.contiguous(memory_format=torch.channels_last)
        h = full_precision(self.stem, x)
        if torch.is_autocast_enabled(h.device.type):
            # the residual stream stays in the autocast dtype: in float32 every later block would read and add
            # float32 activations, which cost more speed than bfloat16 saves
            h = h.to(torch.get_autocast_dtype(h.device.type))
        skips = [h]
        for level, downsample in zip(self.down, self.downsample):
            for block, attention in zip(level.blocks, level.attention):
                h = attention(block(h, embedding))
                skips.append(h)
            if not isinstance(downsample, nn.Identity):
                h = downsample(h)
                skips.append(h)
        h = self.middle[2](self.middle[1](self.middle[0](h, embedding)), embedding)
        for level, upsample in zip(self.up, self.upsample):
            for block, attention in zip(level.blocks, level.attention):
                h = attention(block(torch.cat([h, skips.pop()], dim=1), embedding))
            if not isinstance(upsample, nn.Identity):
                h = upsample(F.interpolate(h, scale_factor=2.0, mode="nearest"))
        out = full_precision(self.head, h)
        if self.mean_head is not None:
            out = out + full_precision(self.mean_head, h)
        out = F.pixel_shuffle(out, self.patch_size) if self.patch_size > 1 else out
        return out.contiguous()
