"""The `melody` sampler: MidiNet's bar-by-bar generation, each bar fed back as the next bar's previous bar.

n samples are read as consecutive melodies of `bars` bars (the last one shorter when n does not divide):
sample i is bar i % bars of melody i // bars. Its chord is condition[i] (a progression given as chord labels,
`genzoo sample NAME --condition 0,4,5,3`), or, with none given, the model's `balanced_condition` (every
progression of the data in turn). A melody's first bar follows an all-zero (silent) bar. As `genzoo sample`
draws a square grid row by row, `-n 64` shows eight 8-bar melodies, one per row.
"""

from __future__ import annotations

import torch
from pydantic import BaseModel, ConfigDict, Field

from genzoo.plugin import Sampler

from genzoo_adversarial.midinet import DEFAULT_REST_THRESHOLD


class MelodyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bars: int = Field(8, ge=1, le=1024, description="Bars per melody: each bar's previous bar is the one before it.")
    rest_threshold: float = Field(DEFAULT_REST_THRESHOLD, ge=0, le=1, description=(
        "A step is a rest when its most probable pitch has a probability below this (0: never a rest)."))


class MelodySampler(Sampler):
    Options = MelodyOptions

    def run(self, model, n, *, condition, generator, options: MelodyOptions) -> torch.Tensor:
        chords = model.balanced_condition(n) if condition is None else condition
        bars = torch.zeros(n, *model.data_spec.shape, device=model.device)
        for position in range(min(options.bars, n)):
            rows = torch.arange(position, n, options.bars, device=model.device)  # bar `position` of every melody
            previous = bars[rows - 1] if position else torch.zeros_like(bars[rows])
            bars[rows] = model.generate_bar(chords[rows], previous, generator=generator,
                                            rest_threshold=options.rest_threshold).to(bars.dtype)
        return bars
