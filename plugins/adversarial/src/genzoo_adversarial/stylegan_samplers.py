"""The two samplers of the style-based generator: truncation in w space and the style-mixing grid.

`style-truncation` (StyleGAN's default here): w' = w_avg + psi (w - w_avg) toward the running mean of w
that training tracked, psi = `truncation` (1: no truncation, 0: every z gives the mean w's image).
`style-mixing`: the figure of Karras et al. 2019 (Fig. 3) as one square grid of n = (k + 1)^2 images, laid out
row by row as `genzoo sample` draws PNGs: the top-left cell is the mean w's image, the rest of the top row k
source-B images, the rest of the left column k source-A images, and cell (i, j) is A_i with B_j's styles at the
coarse layers (below `crossover`; source_b=fine: from `crossover` on). Both sources are truncated by psi. Another
n gives the first n cells of the smallest square grid that holds them.
"""

from __future__ import annotations

import math

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo.plugin import ConfigError, Sampler

from genzoo_adversarial.stylegan import Source


class StyleTruncationOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    truncation: float = Field(1.0, ge=0, le=2, description="psi: w is pulled to w_avg + psi (w - w_avg).")


class StyleTruncationSampler(Sampler):
    Options = StyleTruncationOptions

    def run(self, model, n, *, condition, generator, options: StyleTruncationOptions) -> torch.Tensor:
        return model.render_sample(model.styles(model.sample_latent(n, generator), options.truncation), generator)


class StyleMixingOptions(StyleTruncationOptions):
    crossover: int = Field(2, ge=0, description="First layer that does not take source B's styles (source_b=coarse) "
                                                "or the first that does (fine); 0 .. the model's num_layers.")
    source_b: Source = Field("coarse", description="Which layers take source B's styles: coarse (below crossover) "
                                                   "or fine (from crossover on).")


class StyleMixingSampler(Sampler):
    Options = StyleMixingOptions

    def run(self, model, n, *, condition, generator, options: StyleMixingOptions) -> torch.Tensor:
        side = math.isqrt(n - 1) + 1  # the smallest square grid holding n cells
        if options.crossover > model.num_layers:
            raise ConfigError(f"crossover={options.crossover} is past the model's {model.num_layers} style layers")
        k = side - 1
        sources = model.styles(model.sample_latent(2 * k, generator), options.truncation)
        a, b = sources[:k], sources[k:]
        mixed = model.mix(a.repeat_interleave(k, dim=0), b.repeat(k, 1, 1), options.crossover, options.source_b)
        mean = model.w_avg.expand(1, model.num_layers, -1)
        rows = [torch.cat([mean, b])] + [torch.cat([a[i:i + 1], mixed[i * k:(i + 1) * k]]) for i in range(k)]
        # One noise draw shared by every cell, so the grid differs only by style.
        return model.render_sample(torch.cat(rows)[:n], generator, shared_noise=True)
