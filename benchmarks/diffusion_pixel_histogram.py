"""Where the grey levels of a diffusion model's samples fall, against real MNIST test digits.

    OMP_NUM_THREADS=1 GENZOO_DATA=DIR python benchmarks/diffusion_pixel_histogram.py ddpm-mnist-cond \
        --setting ddim:steps=50 --setting ddpm --setting dpm-solver:steps=20 --n 200 -o histogram.png

Real MNIST backgrounds are exactly 0; a sampler that leaves faint noise there puts pixels at 1-12/255,
which a classifier-feature FID barely notices but an independent feature extractor does. The table
gives each setting's share of pixels at exactly 0, at 1-12 (then split into exactly 1, half a grey level
or less from 0 before rounding, and 2-12), 13-127, 128-254 and exactly 255 (out of 255), and the plot the
full 256-level histogram on a log scale. A setting is `SAMPLER[:KEY=VALUE,...]` (the options of
`model.sample`; `default` is the card's sampler and options; an autoencoder's reconstructions are
`reconstruction:data=mnist`); conditional models get the labels 0..9 in turn, and every setting starts
from the same seed.
"""

from __future__ import annotations

import io
from pathlib import Path

import click
import torch

import genzoo
from genzoo.atomic import write_bytes
from genzoo.cli.options import parse_assignments
from genzoo.plugin import load_dataset, to_levels

BANDS = (("=0", 0, 0), ("1-12", 1, 12), ("=1", 1, 1), ("2-12", 2, 12), ("13-127", 13, 127), ("128-254", 128, 254),
         ("=255", 255, 255))


def parse_setting(text: str) -> tuple[str | None, dict]:
    """'ddim:steps=50,guidance_scale=1.5' -> ('ddim', {'steps': 50, 'guidance_scale': 1.5}); 'default' -> (None, {})."""
    name, _, rest = text.partition(":")
    return (None if name == "default" else name), parse_assignments(tuple(filter(None, rest.split(","))))


def level_counts(images: torch.Tensor) -> torch.Tensor:
    """How many pixels sit at each of the 256 levels of images in [0, 1]."""
    return torch.bincount(to_levels(images.flatten(), 256), minlength=256)


def band_shares(counts: torch.Tensor) -> list[float]:
    total = float(counts.sum())
    return [float(counts[low:high + 1].sum()) / total for _, low, high in BANDS]


def draw(model, setting: str, n: int, seed: int) -> torch.Tensor:
    sampler, options = parse_setting(setting)
    condition = torch.arange(n) % model.data_spec.num_classes if model.conditional else None
    generator = torch.Generator(model.device).manual_seed(seed)
    return model.sample(n, condition=condition, generator=generator, sampler=sampler, **options)


def save_plot(rows: dict[str, torch.Tensor], output: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 4.5))
    for label, counts in rows.items():
        axis.step(range(256), (counts / counts.sum()).numpy(), where="mid", label=label, linewidth=1)
    axis.set_yscale("log")
    axis.set_xlabel("grey level (of 255)")
    axis.set_ylabel("share of pixels")
    axis.set_title(title, fontsize=9)
    axis.legend(fontsize=7)
    figure.tight_layout()
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=120)
    write_bytes(output, png.getvalue())


@click.command()
@click.argument("model_name")
@click.option("--setting", "settings", multiple=True, default=("default",), show_default=True,
              help="SAMPLER[:KEY=VALUE,...], repeatable.")
@click.option("--n", type=click.IntRange(1, 10_000), default=200, show_default=True, help="Samples per setting.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--real", type=click.IntRange(1, 10_000), default=10_000, show_default=True,
              help="Real MNIST test digits (the first ones).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG of the histograms.")
def main(model_name, settings, n, seed, real, output):
    digits = load_dataset("mnist", "test")
    assert digits.num_levels == 256, digits.num_levels
    rows = {f"real MNIST test (n={real})": torch.bincount(digits.levels[:real].flatten().long(), minlength=256)}
    model = genzoo.load(model_name).eval()
    for setting in settings:
        rows[f"{model_name} {setting} (n={n}, seed={seed})"] = level_counts(draw(model, setting, n, seed).float())
    width = max(map(len, rows)) + 1
    header = f"{'':{width}s}" + "".join(f"{name:>9s}" for name, _, _ in BANDS) + "     mean"
    print(header)
    for label, counts in rows.items():
        mean = float((counts * torch.arange(256)).sum() / counts.sum()) / 255
        print(f"{label:{width}s}" + "".join(f"{share:9.4f}" for share in band_shares(counts)) + f"{mean:9.4f}")
    if output:
        save_plot(rows, output, f"pixel levels: real MNIST vs {model_name}")
        print(f"plot: {output}")


if __name__ == "__main__":
    main()
