"""Where a diffusion model's faint background pixels (the veil, levels 1-12 of 255) sit, against real MNIST.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/diffusion_veil_location.py ddpm-mnist-cond [MORE ...] \
        --setting ddim:steps=50,guidance_scale=1.35 --n 200

`diffusion_pixel_histogram.py` says how many pixels are veil; this says where, which tells the causes apart:
an offset the sampler's chain commits and the denoiser keeps covers the background evenly, far from strokes
too; a blur the denoiser writes at the last steps hugs the strokes; a pattern from the UNet's 2x2 patches
shows as unequal shares at the four positions of a patch. Each row gives, as shares of all pixels, the veil at
chessboard distance 1, 2, 3-4 and 5 or more from the nearest stroke pixel (level >= 128), then the veil's
share of the pixels at each 2x2 patch position (row, column) = (0, 0), (0, 1), (1, 0), (1, 1).
"""

from __future__ import annotations

import click
import torch
import torch.nn.functional as F

import genzoo
from diffusion_pixel_histogram import draw
from genzoo.plugin import load_dataset, to_levels

VEIL = (1, 12)
STROKE = 128
DISTANCE_BANDS = ((1, 1), (2, 2), (3, 4), (5, None))
MAX_DISTANCE = 8


def stroke_distance(levels: torch.Tensor) -> torch.Tensor:
    """Chessboard distance (n, 1, H, W) from each pixel to the nearest stroke pixel, capped at MAX_DISTANCE."""
    reached = (levels >= STROKE).float()
    distance = torch.full(levels.shape, MAX_DISTANCE, dtype=torch.long)
    for step in range(MAX_DISTANCE):
        distance = torch.where((reached > 0) & (distance == MAX_DISTANCE), step, distance)
        reached = F.max_pool2d(reached, 3, stride=1, padding=1)
    return distance


def veil_location(levels: torch.Tensor) -> list[float]:
    """Veil share of all pixels per distance band, then the veil share at each of the four patch positions."""
    veil = (levels >= VEIL[0]) & (levels <= VEIL[1])
    distance = stroke_distance(levels)
    total = veil.numel()
    bands = [float((veil & (distance >= low) & (distance <= (high or MAX_DISTANCE))).sum()) / total
             for low, high in DISTANCE_BANDS]
    positions = [float(veil[..., row::2, column::2].float().mean()) for row in (0, 1) for column in (0, 1)]
    return bands + positions


@click.command()
@click.argument("model_names", nargs=-1, required=True)
@click.option("--setting", default="default", show_default=True, help="SAMPLER[:KEY=VALUE,...] for every model.")
@click.option("--n", type=click.IntRange(1, 10_000), default=200, show_default=True, help="Samples per model.")
@click.option("--seed", type=int, default=0, show_default=True)
def main(model_names, setting, n, seed):
    digits = load_dataset("mnist", "test")
    rows = {f"real MNIST test (n={n})": digits.levels[:n].long()}
    for name in model_names:
        rows[name] = to_levels(draw(genzoo.load(name).eval(), setting, n, seed).float(), 256)
    width = max(map(len, rows)) + 1
    bands = [f"d={low}" if high == low else f"d={low}-{high}" if high else f"d>={low}" for low, high in DISTANCE_BANDS]
    print(f"veil (levels {VEIL[0]}-{VEIL[1]}) by distance to a stroke (share of all pixels) and by 2x2 patch "
          f"position (share of those pixels); {setting}, n={n}, seed {seed}")
    print(f"{'':{width}s}{'veil':>7s}" + "".join(f"{b:>8s}" for b in bands) + "".join(
        f"{f'p{row}{column}':>7s}" for row in (0, 1) for column in (0, 1)))
    for label, levels in rows.items():
        values = veil_location(levels)
        print(f"{label:{width}s}{sum(values[:4]):7.3f}" + "".join(f"{v:8.3f}" for v in values[:4])
              + "".join(f"{v:7.3f}" for v in values[4:]))


if __name__ == "__main__":
    main()
