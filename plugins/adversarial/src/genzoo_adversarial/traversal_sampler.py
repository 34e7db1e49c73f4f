"""The latent traversal grid of InfoGAN: rows are the categorical code, columns sweep one continuous code.

Every cell shares one noise draw and the other continuous codes stay at 0, so the grid shows what
the two codes alone do (on MNIST: the digit down the rows, slant or width along the columns).
Sample i sits in row i // columns (category (i // columns) mod categories) and column i mod columns.
`genzoo sample` lays PNG grids out square, so ask for columns x columns samples there
(`genzoo sample NAME -n 100 --sampler traversal`: ten categories by ten code values); from Python,
`image_grid(samples, spec, nrow=columns)` draws any shape.
The paper sweeps from -2 to 2, past the U(-1, 1) the codes were trained on, to show they extrapolate.
"""

from __future__ import annotations

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo.plugin import ConfigError, Sampler


class TraversalOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    columns: int = Field(10, ge=2, le=1000, description="Values of the swept code per row.")
    code: int = Field(0, ge=0, description="Which continuous code to sweep (0-based).")
    span: float = Field(2.0, gt=0, le=1e3, description="The code goes from -span to span along a row.")


class TraversalSampler(Sampler):
    Options = TraversalOptions

    def run(self, model, n, *, condition, generator, options: TraversalOptions) -> torch.Tensor:
        codes = model.config.continuous
        if options.code >= codes:
            raise ConfigError(f"{model.name!r} has {codes} continuous code(s); code={options.code} is out of range")
        index = torch.arange(n, device=model.device)
        category = (index // options.columns) % model.config.categories
        sweep = torch.linspace(-options.span, options.span, options.columns, device=model.device)
        continuous = torch.zeros(n, codes, device=model.device)
        continuous[:, options.code] = sweep[index % options.columns]
        noise = model.sample_noise(1, generator).expand(n, -1)
        return model.generate_from_latent(model.latent_from_codes(category, continuous, noise))
