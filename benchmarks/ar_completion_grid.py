"""The completion figure (issue 14): autoregressive models finishing MNIST test digits from their top half.

    python benchmarks/ar_completion_grid.py nade-mnist made-mnist gated-pixelcnn-mnist \
        -o plugins/explicit-likelihood/docs/mnist_completions.png

One row per test digit (--index, repeatable): the observed top --rows rows (the rest shaded), the whole
binarized digit, then --completions samples of every model given the same prefix. Each test digit is
binarized exactly as `genzoo sample --prefix mnist:INDEX` does (snapped to the nearest level), every model
samples with its default sampler and the same seed per row, and a class-conditional model is given the
digit's true label (its completions are p(bottom | top, label)).
"""

from __future__ import annotations

import click
import numpy as np
import torch

import genzoo
from genzoo.distributions import snap_to_levels
from genzoo.inputs import read_inputs

DEFAULT_INDICES = (0, 1, 2, 3, 4, 7, 8, 11)


def completions(model, digit: torch.Tensor, label: int | None, count: int, prefix_length: int, seed: int):
    """`count` completions (count, H, W) of one digit by one model, seeded per digit."""
    condition = torch.full((count,), label, dtype=torch.long) if model.conditional and label is not None else None
    with torch.no_grad():
        samples = model.sample(count, condition=condition, generator=torch.Generator().manual_seed(seed),
                               prefix=digit, prefix_length=prefix_length)
    return samples.reshape(count, *digit.shape[-2:]).float().numpy()


@click.command()
@click.argument("models", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="PNG to write.")
@click.option("--index", "indices", type=click.IntRange(0), multiple=True, help="MNIST test digits (default: 8).")
@click.option("--completions", "count", type=click.IntRange(1, 16), default=4, show_default=True)
@click.option("--rows", type=click.IntRange(0, 28), default=14, show_default=True, help="Observed top rows.")
@click.option("--seed", type=int, default=0, show_default=True)
def main(models, output, indices, count, rows, seed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    indices = indices or DEFAULT_INDICES
    loaded = [genzoo.load(name).eval() for name in models]
    spec = loaded[0].data_spec
    digits, labels = read_inputs(spec, [f"mnist:{index}" for index in indices])
    digits = snap_to_levels(digits, spec.levels or 2, spec.value_range)
    width = rows * digits.shape[-1]
    columns = 2 + count * len(loaded)
    figure, axes = plt.subplots(len(indices), columns, figsize=(0.75 * columns, 0.8 * len(indices) + 0.6),
                                squeeze=False)
    for row, (digit, label) in enumerate(zip(digits, labels)):
        observed = digit[0].numpy().copy()
        observed[rows:] = 0.5
        panels = [observed, digit[0].numpy()]
        for model in loaded:
            panels.extend(completions(model, digit, label, count, width, seed + row))
        for column, panel in enumerate(panels):
            axis = axes[row, column]
            axis.imshow(np.asarray(panel), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            axis.set_xticks([])
            axis.set_yticks([])
    axes[0, 0].set_title("observed", fontsize=7)
    axes[0, 1].set_title("digit", fontsize=7)
    for position, name in enumerate(models):
        axes[0, 2 + position * count].set_title(name, fontsize=7, loc="left")
    figure.tight_layout(pad=0.3)
    figure.savefig(output, dpi=100)
    click.echo(f"wrote {output}")


if __name__ == "__main__":
    main()
