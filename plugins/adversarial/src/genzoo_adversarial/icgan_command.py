"""`genzoo icgan-edit NAME --input mnist:0-7 -o grid.png`: an IcGAN's edit grid.

One row per input: the input, its reconstruction G(z, E_y(x)), then G(z, y') for every class y' in order.
z is E_z(x), refined by `--refine-steps` Age-cGAN steps first (default: the model's refine_steps; 0: E_z
alone, the IcGAN paper's edit). Inputs are image files, DATASET:INDEX (a test example, e.g. mnist:7) or
DATASET:FIRST-LAST (those test examples, e.g. mnist:0-7).
"""

from __future__ import annotations

import re
from pathlib import Path

import click

MAX_REFINE_STEPS = 10_000  # as the config allows
MAX_INPUTS = 1000  # a range is expanded into one row per example
INDEX_RANGE = re.compile(r"^(?P<data>[\w.-]+):(?P<first>\d+)-(?P<last>\d+)$")


def expand_inputs(sources: tuple[str, ...]) -> list[str]:
    """Each DATASET:FIRST-LAST as DATASET:FIRST ... DATASET:LAST; other inputs as they are."""
    from genzoo.plugin import GenzooError

    expanded: list[str] = []
    for source in sources:
        match = INDEX_RANGE.match(source)
        if match is None or Path(source).exists():
            expanded.append(source)
            continue
        first, last = int(match["first"]), int(match["last"])
        if last < first:
            raise GenzooError(f"--input {source}: the range ends before it starts")
        expanded += [f"{match['data']}:{index}" for index in range(first, min(last, first + MAX_INPUTS) + 1)]
        if len(expanded) > MAX_INPUTS:
            raise GenzooError(f"more than {MAX_INPUTS} inputs: one grid row each is too many")
    return expanded


def edit_grid(model, x, *, steps: int):
    """(n * (classes + 2), *shape) images: per input, the input, its reconstruction and its edit to every class."""
    import torch

    classes = model.num_label_classes
    model.eval()
    z, y = model.invert(x, steps=steps)
    with torch.no_grad():
        reconstruction = model.generate_from_latent(z, y)
        edits = model.generate_from_latent(z.repeat_interleave(classes, 0), torch.arange(classes).repeat(len(x)))
    rows = [x[:, None], reconstruction[:, None], edits.reshape(len(x), classes, *x.shape[1:])]
    return torch.cat(rows, 1).flatten(0, 1), classes + 2


@click.command("icgan-edit")
@click.argument("name")
@click.option("--input", "inputs", multiple=True, required=True,
              help="Image file, DATASET:INDEX or DATASET:FIRST-LAST of the test split, e.g. mnist:0-7 (repeatable).")
@click.option("--refine-steps", type=click.IntRange(0, MAX_REFINE_STEPS),
              help="Age-cGAN steps on z before editing (default: the model's refine_steps; 0: E_z alone).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Folder with dataset files (default $GENZOO_DATA).")
@click.option("--device", help="torch device (default: cpu).")
@click.option("-o", "--output", default="icgan-edits.png", show_default=True, type=click.Path(dir_okay=False),
              help="Output file: .png (the grid), .npy or .pt (the images, row by row).")
def icgan_edit_command(name, inputs, refine_steps, data_dir, device, output) -> None:
    """Re-render each --input as every class with the IcGAN NAME (rows: input, reconstruction, classes 0..)."""
    import torch

    import genzoo
    from genzoo.plugin import CapabilityError, GenzooError, read_example, save_samples

    if not Path(output).parent.resolve().is_dir():
        raise GenzooError(f"{output}: its folder does not exist")
    sources = expand_inputs(inputs)
    model = genzoo.load(name, device=device)
    if not callable(getattr(model, "invert", None)):
        raise CapabilityError(f"{model.name!r} is not an IcGAN (genzoo train icgan ...): it has no encoders to "
                              "edit with")
    x = torch.stack([read_example(model.data_spec, source, data_dir=data_dir, name=repr(model.name))[0]
                     for source in sources]).to(model.device)
    steps = model.config.refine_steps if refine_steps is None else refine_steps
    images, columns = edit_grid(model, x, steps=steps)
    path = save_samples(images.cpu(), model.data_spec, output, nrow=columns)
    click.echo(f"wrote {len(sources)} rows (input, reconstruction, classes 0-{columns - 3}; {steps} refinement "
               f"steps) to {path}")
