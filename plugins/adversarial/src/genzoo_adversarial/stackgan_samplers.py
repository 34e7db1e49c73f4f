"""StackGAN's two samplers: stage I alone, and stage I beside stage II.

`stackgan-stage-one`: stage I's low-resolution images brought to the data's size (bilinear by default), so that
`genzoo eval RUN --sampler stackgan-stage-one --metric fid` measures what the second stage adds.
`stackgan-stage-pairs`: the README picture. In the square grid `genzoo sample -o x.png` draws (ceil(sqrt(n))
columns), each even row (0, 2, ...) shows the stage-I images (nearest-neighbour by default: its own pixels as
blocks) of the samples in the row below it, whose cells show their stage-II images: the same latents, labels and
codes. An even last row with no row below shows its own cells' stage-I images. `-n 100 --condition 0,...,9` gives
five pairs of rows with one class per column.
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo.plugin import Sampler


class StageOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    upsample: Literal["nearest", "bilinear"] = Field("bilinear", description="How stage-I images reach the data's "
                                                                             "size.")


class PairOptions(StageOptions):
    upsample: Literal["nearest", "bilinear"] = Field("nearest", description="How stage-I images reach the data's "
                                                                            "size.")


class StageOneSampler(Sampler):
    Options = StageOptions

    def run(self, model, n, *, condition, generator, options: StageOptions) -> torch.Tensor:
        low = model.generate_stage_one(n, condition=condition, generator=generator)
        return model.upsample_stage_one(low, options.upsample)


def pair_sources(n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(whether cell i shows a stage-I image, the sample it shows) for n cells in ceil(sqrt(n)) columns."""
    columns = math.isqrt(n - 1) + 1 if n > 0 else 1
    cell = torch.arange(n)
    stage_one = (cell // columns) % 2 == 0
    below = cell + columns
    source = torch.where(stage_one & (below < n), below, cell)
    return stage_one, source


class StagePairsSampler(Sampler):
    Options = PairOptions

    def run(self, model, n, *, condition, generator, options: PairOptions) -> torch.Tensor:
        low, high = model.generate_stages(n, condition=condition, generator=generator)
        stage_one, source = pair_sources(n)
        stage_one, source = stage_one.to(high.device), source.to(high.device)
        upsampled = model.upsample_stage_one(low, options.upsample)
        return torch.where(stage_one[:, None, None, None], upsampled[source], high[source])
