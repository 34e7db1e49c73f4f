"""pytorch-generative's PixelCNN, Gated PixelCNN and ImageGPT sampling, timed, for
benchmarks/ar_sampling_speed.py (runs in its own venv, without genzoo).

Transcribed from EugenHotaj/pytorch-generative at commit d1f0a5ce45195fed3e2787be86ad87c7c8229481 (the
repository's head; not on PyPI): pytorch_generative/nn/convolution.py (`CausalConv2d`, `GatedActivation`),
nn/attention.py (`_get_causal_mask`, `CausalAttention` without its unused `extra_x` input),
models/base.py (`AutoregressiveModel.sample`, `_default_sample_fn`), models/autoregressive/pixel_cnn.py
(`CausalResidualBlock`, `PixelCNN`), models/autoregressive/gated_pixel_cnn.py (`GatedPixelCNNLayer`,
`GatedPixelCNN`) and models/autoregressive/image_gpt.py (`TransformerBlock`, `ImageGPT`; `NCHWLayerNorm`
from nn/convolution.py):
https://github.com/EugenHotaj/pytorch-generative/tree/d1f0a5ce45195fed3e2787be86ad87c7c8229481/pytorch_generative

    MIT License, Copyright (c) 2020 Eugen Hotaj. Permission is hereby granted, free of charge, to any
    person obtaining a copy of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights to use, copy, modify,
    merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to
    whom the Software is furnished to do so, subject to the following conditions: The above copyright
    notice and this permission notice shall be included in all copies or substantial portions of the
    Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
    INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
    NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR
    OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
    CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

The layers' `__init__`/`forward` and the sampling loop are the original's, statement for statement
(docstrings shortened). Deviations, all of them:
1. The class hierarchy (`GenerativeModel` with its shape buffers `_c/_h/_w` registered on the first
   forward, `AutoregressiveModel`) is flattened into `sample(model, n, shape)`: the loop body is the
   original's `AutoregressiveModel.sample`, with the shape passed in rather than read from the buffers,
   and `torch.no_grad()` around it as the original's decorator.
2. `--positions N` stops the loop after the first N pixels (the original visits all H x W; every visit
   is the same full forward of the whole batch, so the whole image's time is N's x H*W / N, and the
   driver marks it `~`). Default: all positions.
3. `CausalAttention` keeps only what ImageGPT uses: `extra_input_channels` / `extra_x` (always 0 / None
   there) are dropped, `mask_center` is False as ImageGPT leaves it.
4. The weights are the layers' default (PyTorch) initialisation from `torch.manual_seed(--seed)`,
   untrained: a forward's cost does not depend on them.

Prints one JSON line last: per batch, process CPU seconds and wall seconds of one whole draw (after one
untimed warm-up forward), the positions timed, parameter count, versions.
"""

from __future__ import annotations

import argparse
import functools
import json
import time

import numpy as np
import torch
from torch import distributions, nn
from torch.nn import functional as F

COMMIT = "d1f0a5ce45195fed3e2787be86ad87c7c8229481"


# ---- pytorch_generative/nn/convolution.py -------------------------------------------------------------------
class CausalConv2d(nn.Conv2d):
    """A Conv2d layer masked to respect the autoregressive property (mask_center=True: type A, else B)."""

    def __init__(self, mask_center, *args, **kwargs):
        super().__init__(*args, **kwargs)
        i, o, h, w = self.weight.shape
        mask = torch.zeros((i, o, h, w))
        mask.data[:, :, : h // 2, :] = 1
        mask.data[:, :, h // 2, : w // 2 + int(not mask_center)] = 1
        self.register_buffer("mask", mask)

    def forward(self, x):
        self.weight.data *= self.mask
        return super().forward(x)


class GatedActivation(nn.Module):
    """activation_fn(f) * sigmoid(g) over the two halves of the channels."""

    def __init__(self, activation_fn=torch.tanh):
        super().__init__()
        self._activation_fn = activation_fn

    def forward(self, x):
        _, c, _, _ = x.shape
        assert c % 2 == 0, "x must have an even number of channels."
        x, gate = x[:, : c // 2, :, :], x[:, c // 2 :, :, :]
        return self._activation_fn(x) * torch.sigmoid(gate)


class NCHWLayerNorm(nn.LayerNorm):
    """Applies LayerNorm to the channel dimension of NCHW tensors."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = super().forward(x)
        return x.permute(0, 3, 1, 2)


# ---- pytorch_generative/nn/attention.py (deviation 3) -------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _get_causal_mask(size, mask_center):
    """Generates causal masks for attention weights."""
    return torch.tril(torch.ones((size, size)), diagonal=-int(mask_center))


class CausalAttention(nn.Module):
    """Autoregressively masked multihead self-attention over an NCHW image, with 1x1 convolutions."""

    def __init__(self, in_channels, n_heads=1, embed_channels=None, out_channels=None, mask_center=False):
        super().__init__()
        self._n_heads = n_heads
        self._embed_channels = embed_channels or in_channels
        self._out_channels = out_channels or in_channels
        self._mask_center = mask_center

        self._q = nn.Conv2d(in_channels=in_channels, out_channels=self._embed_channels, kernel_size=1)
        self._kv = nn.Conv2d(in_channels=in_channels, out_channels=self._embed_channels + self._out_channels,
                             kernel_size=1)
        self._proj = nn.Conv2d(in_channels=self._out_channels, out_channels=self._out_channels, kernel_size=1)

    def forward(self, x):
        def _to_multihead(t):
            """Reshapes an (N, C, H, W) tensor into (N, n_heads, H * W, head_size)."""
            c = t.shape[1]
            t = t.view(n, self._n_heads, c // self._n_heads, -1)
            return t.transpose(2, 3)

        n, _, h, w = x.shape

        # Compute the query, key, and value.
        q = _to_multihead(self._q(x))
        k, v = self._kv(x).split([self._embed_channels, self._out_channels], dim=1)
        k, v = _to_multihead(k), _to_multihead(v)

        # Compute the causal attention weights.
        mask = (
            _get_causal_mask(h * w, self._mask_center)
            .view(1, 1, h * w, h * w)
            .to(next(self.parameters()).device)
        )
        attn = (q @ k.transpose(2, 3)) / np.sqrt(k.shape[-1])
        attn = attn.masked_fill(mask == 0, -np.inf)
        # NOTE: When self._mask_center is True, the first row of the attention matrix
        # will be NaNs. We replace the NaNs with 0s here to prevent downstream issues.

        attn = F.softmax(attn, dim=-1).masked_fill(mask == 0, 0)

        # Attend to output for each head, stack, and project.
        out = (attn @ v).transpose(2, 3).contiguous().view(n, -1, h, w)
        return self._proj(out)


# ---- pytorch_generative/models/autoregressive/pixel_cnn.py --------------------------------------------------
class CausalResidualBlock(nn.Module):
    """A residual block masked to respect the autoregressive property."""

    def __init__(self, n_channels):
        super().__init__()
        self._net = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(in_channels=n_channels, out_channels=n_channels // 2, kernel_size=1),
            nn.ReLU(),
            CausalConv2d(mask_center=False, in_channels=n_channels // 2, out_channels=n_channels // 2,
                         kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=n_channels // 2, out_channels=n_channels, kernel_size=1),
        )

    def forward(self, x):
        return x + self._net(x)


class PixelCNN(nn.Module):
    """The PixelCNN model: a 7x7 type-A input convolution to 2 * residual_channels, n_residual residual
    blocks (1x1 down to half, 3x3 type B, 1x1 up), a head of ReLU, 1x1, ReLU, 1x1."""

    def __init__(self, in_channels=1, out_channels=1, n_residual=15, residual_channels=128, head_channels=32):
        super().__init__()
        self._input = CausalConv2d(mask_center=True, in_channels=in_channels,
                                   out_channels=2 * residual_channels, kernel_size=7, padding=3)
        self._causal_layers = nn.ModuleList(
            [CausalResidualBlock(n_channels=2 * residual_channels) for _ in range(n_residual)])
        self._head = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(in_channels=2 * residual_channels, out_channels=head_channels, kernel_size=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=head_channels, out_channels=out_channels, kernel_size=1),
        )

    def forward(self, x):
        x = self._input(x)
        for layer in self._causal_layers:
            x = x + layer(x)
        return self._head(x)


# ---- pytorch_generative/models/autoregressive/gated_pixel_cnn.py --------------------------------------------
class GatedPixelCNNLayer(nn.Module):
    """A Gated PixelCNN layer: (vstack, hstack) in, (vstack, hstack, skip) out."""

    def __init__(self, in_channels, out_channels, kernel_size=3, mask_center=False):
        super().__init__()

        assert kernel_size % 2 == 1, "kernel_size cannot be even"

        self._in_channels = in_channels
        self._out_channels = out_channels
        self._activation = GatedActivation()
        self._kernel_size = kernel_size
        self._padding = (kernel_size - 1) // 2  # (kernel_size - stride) / 2
        self._mask_center = mask_center

        # Vertical stack convolutions.
        self._vstack_1xN = nn.Conv2d(in_channels=self._in_channels, out_channels=self._out_channels,
                                     kernel_size=(1, self._kernel_size), padding=(0, self._padding))
        self._vstack_Nx1 = nn.Conv2d(in_channels=self._out_channels, out_channels=2 * self._out_channels,
                                     kernel_size=(self._kernel_size // 2 + 1, 1), padding=(self._padding + 1, 0))
        self._vstack_1x1 = nn.Conv2d(in_channels=in_channels, out_channels=2 * out_channels, kernel_size=1)

        self._link = nn.Conv2d(in_channels=2 * out_channels, out_channels=2 * out_channels, kernel_size=1)

        # Horizontal stack convolutions.
        self._hstack_1xN = nn.Conv2d(in_channels=self._in_channels, out_channels=2 * self._out_channels,
                                     kernel_size=(1, self._kernel_size // 2 + 1),
                                     padding=(0, self._padding + int(self._mask_center)))
        self._hstack_residual = nn.Conv2d(in_channels=out_channels, out_channels=out_channels, kernel_size=1)
        self._hstack_skip = nn.Conv2d(in_channels=out_channels, out_channels=out_channels, kernel_size=1)

    def forward(self, vstack_input, hstack_input):
        _, _, h, w = vstack_input.shape  # Assuming NCHW.

        # Compute vertical stack.
        vstack = self._vstack_Nx1(self._vstack_1xN(vstack_input))[:, :, :h, :]
        link = self._link(vstack)
        vstack = vstack + self._vstack_1x1(vstack_input)
        vstack = self._activation(vstack)

        # Compute horizontal stack.
        hstack = link + self._hstack_1xN(hstack_input)[:, :, :, :w]
        hstack = self._activation(hstack)
        skip = self._hstack_skip(hstack)
        hstack = self._hstack_residual(hstack)
        # NOTE(eugenhotaj): We cannot use a residual connection for causal layers
        # otherwise we'll have access to future pixels.
        if not self._mask_center:
            hstack = hstack + hstack_input

        return vstack, hstack, skip


class GatedPixelCNN(nn.Module):
    """The Gated PixelCNN model: a 7x7 causal gated input layer, n_gated 3x3 gated layers, skip
    connections summed into a head of ReLU, 1x1, ReLU, 1x1."""

    def __init__(self, in_channels=1, out_channels=1, n_gated=10, gated_channels=128, head_channels=32):
        super().__init__()
        self._input = GatedPixelCNNLayer(in_channels=in_channels, out_channels=gated_channels, kernel_size=7,
                                         mask_center=True)
        self._gated_layers = nn.ModuleList(
            [GatedPixelCNNLayer(in_channels=gated_channels, out_channels=gated_channels, kernel_size=3,
                                mask_center=False) for _ in range(n_gated)])
        self._head = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(in_channels=gated_channels, out_channels=head_channels, kernel_size=1),
            nn.ReLU(),
            nn.Conv2d(in_channels=head_channels, out_channels=out_channels, kernel_size=1),
        )

    def forward(self, x):
        vstack, hstack, skip_connections = self._input(x, x)
        for gated_layer in self._gated_layers:
            vstack, hstack, skip = gated_layer(vstack, hstack)
            skip_connections += skip
        return self._head(skip_connections)


# ---- pytorch_generative/models/autoregressive/image_gpt.py ---------------------------------------------------
class TransformerBlock(nn.Module):
    """An ImageGPT Transformer block."""

    def __init__(self, n_channels, n_attention_heads):
        super().__init__()
        self._ln1 = NCHWLayerNorm(n_channels)
        self._ln2 = NCHWLayerNorm(n_channels)
        self._attn = CausalAttention(in_channels=n_channels, n_heads=n_attention_heads, embed_channels=n_channels,
                                     out_channels=n_channels)
        self._out = nn.Sequential(
            nn.Conv2d(in_channels=n_channels, out_channels=4 * n_channels, kernel_size=1),
            nn.GELU(),
            nn.Conv2d(in_channels=4 * n_channels, out_channels=n_channels, kernel_size=1),
        )

    def forward(self, x):
        x = x + self._attn(self._ln1(x))
        return x + self._out(self._ln2(x))


class ImageGPT(nn.Module):
    """The ImageGPT model: a 3x3 type-A convolution of the image (plus a learned position map) to
    n_embedding_channels, n_transformer_blocks pre-LN blocks with a 4x MLP, LayerNorm, 1x1 out."""

    def __init__(self, in_channels=1, out_channels=1, in_size=28, n_transformer_blocks=8, n_attention_heads=4,
                 n_embedding_channels=16):
        super().__init__()
        self._pos = nn.Parameter(torch.zeros(1, in_channels, in_size, in_size))
        self._input = CausalConv2d(mask_center=True, in_channels=in_channels, out_channels=n_embedding_channels,
                                   kernel_size=3, padding=1)
        self._transformer = nn.ModuleList(
            TransformerBlock(n_channels=n_embedding_channels, n_attention_heads=n_attention_heads)
            for _ in range(n_transformer_blocks)
        )
        self._ln = NCHWLayerNorm(n_embedding_channels)
        self._out = nn.Conv2d(in_channels=n_embedding_channels, out_channels=out_channels, kernel_size=1)

    def forward(self, x):
        x = self._input(x + self._pos)
        for block in self._transformer:
            x = x + block(x)
        return self._out(self._ln(x))


# ---- pytorch_generative/models/base.py: AutoregressiveModel.sample (deviations 1, 2) ------------------------
def _default_sample_fn(logits):
    return distributions.Bernoulli(logits=logits).sample()


@torch.no_grad()
def sample(model, n_samples, shape, positions=None):
    c, h, w = shape
    conditioned_on = (torch.ones((n_samples, c, h, w)) * -1).to(next(model.parameters()).device)
    n, c, h, w = conditioned_on.shape
    visited = 0
    for row in range(h):
        for col in range(w):
            if visited == positions:  # deviation 2
                return conditioned_on
            visited += 1
            out = model.forward(conditioned_on)[:, :, row, col]
            out = _default_sample_fn(out).view(n, c)
            conditioned_on[:, :, row, col] = torch.where(
                conditioned_on[:, :, row, col] < 0,
                out,
                conditioned_on[:, :, row, col],
            )
    return conditioned_on


# ---- the timing --------------------------------------------------------------------------------------------
def build(args: argparse.Namespace) -> nn.Module:
    torch.manual_seed(args.seed)
    if args.arch == "pixelcnn":
        return PixelCNN(n_residual=args.layers, residual_channels=args.channels, head_channels=args.head_channels)
    if args.arch == "gated-pixelcnn":
        return GatedPixelCNN(n_gated=args.layers, gated_channels=args.channels, head_channels=args.head_channels)
    return ImageGPT(in_size=args.side, n_transformer_blocks=args.layers, n_attention_heads=args.heads,
                    n_embedding_channels=args.channels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=["pixelcnn", "gated-pixelcnn", "image-gpt"], required=True)
    parser.add_argument("--channels", type=int, required=True, help="PixelCNN: residual_channels (its blocks "
                        "carry twice as many); Gated PixelCNN: gated_channels; ImageGPT: n_embedding_channels.")
    parser.add_argument("--layers", type=int, required=True, help="n_residual / n_gated (after the 7x7 "
                        "input) / n_transformer_blocks.")
    parser.add_argument("--heads", type=int, default=4, help="ImageGPT's n_attention_heads.")
    parser.add_argument("--head-channels", type=int, default=32, help="(Gated) PixelCNN's head_channels.")
    parser.add_argument("--side", type=int, default=28, help="Images are 1 x side x side.")
    parser.add_argument("--batches", default="1,16")
    parser.add_argument("--positions", type=int, help="Time only the first N pixels (deviation 2).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    shape = (1, args.side, args.side)
    pixels = args.side * args.side
    positions = pixels if args.positions is None else min(args.positions, pixels)
    model = build(args).eval()
    with torch.no_grad():
        model(torch.zeros(1, *shape))  # warm-up: allocator and kernel selection, as genzoo's side gets
    rows = []
    for batch in map(int, args.batches.split(",")):
        torch.manual_seed(args.seed)
        wall, cpu = time.perf_counter(), time.process_time()
        sample(model, batch, shape, positions)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append({"batch": batch, "positions_timed": positions, "pixels": pixels, "cpu_s": cpu * pixels / positions,
                     "wall_s": wall * pixels / positions, "extrapolated": positions < pixels})
    print(json.dumps({"rows": rows, "parameters": sum(p.numel() for p in model.parameters()),
                      "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "code": f"pytorch-generative {COMMIT[:7]}"}))


if __name__ == "__main__":
    main()
