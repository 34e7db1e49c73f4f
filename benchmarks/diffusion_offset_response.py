"""How much of an offset a pixel diffusion model's x_0 prediction keeps, by the offset's spatial pattern.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/diffusion_offset_response.py ddpm-mnist-cond [MORE ...]

Real MNIST test digits get a one-grey-level offset of a fixed pattern (a constant, or a cosine across the
width with a period of 28 down to 2 pixels, or a ring on the background 1-2 pixels from the strokes, as
`step.offset_halo_std` trains with), are noised at timestep t with the same eps as the digits
without it, and go through `model.predict` (no clipping). The table shows, on background pixels, the
share of the offset that survives into x_0_hat: the regression slope of (x_0_hat with offset - x_0_hat
without) on the offset. 0 = the denoiser removes it as noise, 1 = it keeps it as signal. The data has
no such offsets, so an ideal denoiser removes every pattern at small t. What a sampler's chain leaves
at small t that the denoiser keeps ends in the samples (MNIST's grey background veil).
"""

from __future__ import annotations

import math

import click
import torch

import genzoo
from genzoo.plugin import load_dataset
from genzoo_diffusion.training import halo_ring

PERIODS = (28, 14, 7, 4, 2)


def patterns(width: int) -> dict[str, torch.Tensor]:
    """Offset shapes of unit amplitude, (width,) across a row; every row of the image gets the same."""
    columns = torch.arange(width).float()
    shapes = {"constant": torch.ones(width)}
    shapes |= {f"cosine, period {p}": torch.cos(2 * math.pi * columns / p) for p in PERIODS}
    return shapes


@click.command()
@click.argument("model_names", nargs=-1, required=True)
@click.option("--n", type=click.IntRange(1, 10_000), default=100, show_default=True, help="Test digits.")
@click.option("--timestep", "timesteps", type=int, multiple=True, default=(0, 5, 20, 61), show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
def main(model_names, n, timesteps, seed):
    digits = load_dataset("mnist", "test")
    background = digits.levels[:n] == 0
    per_level = 2 / (digits.num_levels - 1)
    shapes = patterns(digits.levels.shape[-1])
    print(f"share of a one-level offset kept in x_0 on the background (n={n} test digits, seed {seed})")
    print(f"{'model':24s} {'offset':18s} " + " ".join(f"{f't={t}':>7s}" for t in timesteps))
    for name in model_names:
        model = genzoo.load(name).eval()
        x0 = model.to_diffusion_space(digits.levels[:n].float() / (digits.num_levels - 1))
        labels = digits.y[:n] if model.conditional else None
        offsets = {shape: (per_level * row).expand_as(x0) for shape, row in shapes.items()}
        offsets["halo"] = per_level * halo_ring(x0)
        kept = {shape: [] for shape in offsets}
        for t in timesteps:
            step = torch.full((n,), t, dtype=torch.long)
            noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed + t))
            with torch.no_grad():
                _, plain = model.predict(model.schedule.q_sample(x0, step, noise), step, labels, 1.0, False)
                for shape, offset in offsets.items():
                    _, moved = model.predict(model.schedule.q_sample(x0 + offset, step, noise), step, labels, 1.0,
                                             False)
                    change, offset = (moved - plain)[background], offset[background]
                    kept[shape].append(float((change * offset).sum() / (offset * offset).sum()))
        for shape, shares in kept.items():
            print(f"{name:24s} {shape:18s} " + " ".join(f"{share:7.2f}" for share in shares))


if __name__ == "__main__":
    main()
