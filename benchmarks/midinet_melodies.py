"""Real test melodies beside a MidiNet's melodies for the same chords, as 8-bar piano-rolls in one PNG.

    python benchmarks/midinet_melodies.py /work/runs/i16/midinet-melodies --melodies 6 -o melodies.png

Rows alternate: a real test melody of `melodies` (its 8 bars joined in time, grey lines between bars), then the
model's melody for the same 8 chords (`genzoo`'s default sampler of the model: `melody`, each bar fed back as the
next previous bar, seeded by --seed). Pitch runs up (B5 at the top, C4 at the bottom), time to the right; each
piano-roll cell is drawn as a 4 x 4 block. The rows' chord names are printed.
"""

from __future__ import annotations

import click
import torch

import genzoo
from genzoo.plugin import DataSpec, load_dataset, save_samples

BAR_LINE = 0.5  # grey
CELL = 4  # pixels per piano-roll cell side


def joined(bars: torch.Tensor) -> torch.Tensor:
    """(bars, 1, pitches, steps) -> (1, pitches, bars * steps + bars - 1): the bars side by side with bar lines."""
    line = torch.full((1, bars.shape[2], 1), BAR_LINE)
    parts = [part for bar in bars for part in (bar, line)][:-1]
    return torch.cat(parts, dim=2)


@click.command()
@click.argument("model_name")
@click.option("--melodies", type=click.IntRange(1, 50), default=6, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def main(model_name: str, melodies: int, seed: int, output: str) -> None:
    model = genzoo.load(model_name)
    test = load_dataset("melodies", "test").field_tensors()
    bars_per_melody = 8
    n = melodies * bars_per_melody
    real, chords = test["x"][:n], test["label"][:n]
    fake = model.sample(n, condition=chords, generator=torch.Generator().manual_seed(seed)).cpu()
    rows = []
    for k in range(melodies):
        part = slice(k * bars_per_melody, (k + 1) * bars_per_melody)
        rows += [joined(real[part]), joined(fake[part])]
        names = " ".join(model.data_spec.class_names[c] for c in chords[part].tolist())
        click.echo(f"rows {2 * k + 1}-{2 * k + 2}: {names}")
    image = torch.stack(rows).repeat_interleave(CELL, dim=2).repeat_interleave(CELL, dim=3)
    save_samples(image, DataSpec(shape=tuple(image.shape[1:])), output, nrow=1)
    click.echo(f"wrote {output}")


if __name__ == "__main__":
    main()
