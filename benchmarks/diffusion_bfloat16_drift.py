"""How far bfloat16 sampling moves a diffusion model's images from float32 sampling of the same noise.

    OMP_NUM_THREADS=1 python benchmarks/diffusion_bfloat16_drift.py ddpm-mnist-cond [--n 500] [--seed 0] \
        [--set steps=50 ...]

FID at n=10,000 moves by about 0.5 between seeds on ddpm-mnist-cond, so it cannot show a precision's effect of
that size; the same noise sampled in both precisions can. Printed per precision: the mean pixel value, the share
of pixels at exactly 0 and at 1-12 of 255 (the background veil of issue 17) and at 128 or more, and for bfloat16
the mean absolute difference from the float32 images in grey levels and the share of pixels that differ. A
systematic shift (brighter strokes, fewer exact zeros) is a bias of the precision; the paired differences alone
are mostly trajectories that parted early in the chain.
"""

from __future__ import annotations

import click
import torch
from diffusion_pixel_histogram import level_counts

from genzoo.cli.options import parse_assignments
from genzoo.plugin import to_levels


def level_shares(images: torch.Tensor) -> dict[str, float]:
    """Mean pixel and shares of pixels by grey level, counted as diffusion_pixel_histogram.py counts them."""
    counts = level_counts(images).double() / images.numel()
    return {"mean": images.mean().item(), "exactly 0": counts[0].item(), "1-12": counts[1:13].sum().item(),
            ">= 128": counts[128:].sum().item()}


@click.command()
@click.argument("name")
@click.option("--n", default=500, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--sampler", default=None, help="Default: the model's own.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="A sampler option (repeatable).")
def main(name: str, n: int, seed: int, sampler: str | None, assignments: tuple[str, ...]) -> None:
    import genzoo

    model = genzoo.load(name).eval()
    options = parse_assignments(assignments)
    images = {precision: model.sample(n, condition=model.balanced_condition(n), sampler=sampler, progress=False,
                                      generator=torch.Generator().manual_seed(seed),
                                      **{**options, "precision": precision})
              for precision in ("float32", "bfloat16")}
    print(f"{name}, n={n}, seed {seed}, sampler {sampler or 'default'} {options or ''}")
    print("precision | mean | exactly 0 | 1-12 | >= 128 | mean abs diff (levels) | pixels differing")
    print("--- | --- | --- | --- | --- | --- | ---")
    for precision, x in images.items():
        shares = level_shares(x)
        diff = (to_levels(x, 256) - to_levels(images["float32"], 256)).abs().double()
        print(f"{precision} | {shares['mean']:.4f} | {shares['exactly 0']:.3f} | {shares['1-12']:.3f} | "
              f"{shares['>= 128']:.4f} | {diff.mean().item():.3f} | {(diff > 0).double().mean().item():.3f}")


if __name__ == "__main__":
    main()
