"""One PNG comparing super-resolution methods on mnist-sr test digits, a row per digit.

Columns: the 7x7 input (shown enlarged with nearest neighbours), bicubic interpolation, each
checkpoint given with --model (e.g. the L1-only generator, then SRGAN), and the true 28x28 digit.
`genzoo translate RUN --input mnist-lowres:I` shows one model's input beside its output; this puts
the baselines in the same picture.

    GENZOO_DATA=... python benchmarks/srgan_gallery.py --model RUN_PIXEL --model RUN_SRGAN -o sr.png
"""

from __future__ import annotations

import click
import torch
from torch.nn import functional as F

import genzoo
from genzoo.data import load_dataset
from genzoo.outputs import save_samples


@click.command()
@click.option("--model", "models", multiple=True, required=True, help="Checkpoint folder or name (repeatable).")
@click.option("--first", type=int, default=0, show_default=True, help="First mnist-sr test index.")
@click.option("--rows", type=int, default=8, show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
def main(models: tuple[str, ...], first: int, rows: int, output: str) -> None:
    tensors = load_dataset("mnist-sr", "test").field_tensors()
    source = tensors["source"][first : first + rows]
    target = tensors["x"][first : first + rows]
    size = target.shape[2:]
    columns = [F.interpolate(source, size=size, mode="nearest"),
               F.interpolate(source, size=size, mode="bicubic", align_corners=False).clamp(0, 1)]
    loaded = [genzoo.load(name, verify=False) for name in models]
    columns += [model.translate_inputs(source).cpu() for model in loaded]
    columns.append(target)
    grid = torch.stack(columns, dim=1).flatten(0, 1)  # row-major: each digit's columns side by side
    path = save_samples(grid, loaded[0].data_spec, output, nrow=len(columns))
    click.echo(f"wrote {path}: columns input (nearest), bicubic, {', '.join(models)}, target; "
               f"mnist-sr test {first}..{first + rows - 1}")


if __name__ == "__main__":
    main()
