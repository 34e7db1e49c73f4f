"""`genzoo translate`: run a translation model (image to image) on files or dataset examples."""

from __future__ import annotations

import click

from genzoo.cli.options import SEED
from genzoo.cli.sample import checked_device


@click.command("translate")
@click.argument("name")
@click.option("--input", "-i", "inputs", multiple=True, required=True, metavar="IMG|DATASET:INDEX|FILE.npy",
              help="What to translate (repeatable): an image file, a dataset example such as mnist:7, or a .npy "
                   "array of one example or a batch.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the torch.Generator (stochastic models).")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Folder with dataset files (default $GENZOO_DATA).")
@click.option("--device", help="torch device; default cuda when available, else cpu.")
@click.option("-o", "--output", default="translated.png", show_default=True, type=click.Path(dir_okay=False),
              help="Output file: .png (each input beside its output), .npy or .pt (the outputs).")
@click.option("--no-verify", is_flag=True, help="Load a checkpoint folder without sha256 checks (only one you made and trust).")
def translate_command(name, inputs, seed, data_dir, device, output, no_verify) -> None:
    """Translate inputs with NAME (a pretrained name, checkpoint folder or hf://org/repo@rev) and save to -o."""
    from pathlib import Path

    import torch

    import genzoo
    from genzoo.atomic import require_parent_folder
    from genzoo.capabilities import Capability
    from genzoo.errors import CapabilityError
    from genzoo.inputs import read_inputs
    from genzoo.outputs import SUFFIXES, save_samples

    suffix = Path(output).suffix.lower()
    if suffix not in SUFFIXES:
        raise click.BadParameter(f"unsupported format; use one of {', '.join(SUFFIXES)}", param_hint="-o")
    require_parent_folder(output)
    device = checked_device(device)
    model = genzoo.load(name, device=device, verify=not no_verify)
    if Capability.TRANSLATE not in model.capabilities or model.source_spec is None:
        raise CapabilityError(f"{model.name!r} cannot translate: it lacks the 'translate' capability "
                              f"(`genzoo list --capability translate` shows the models that have it)")
    x, _labels = read_inputs(model.source_spec, inputs, data_dir=data_dir, name=repr(model.name))
    generator = torch.Generator(device=device).manual_seed(seed)
    outputs = model.translate_inputs(x, generator=generator).cpu()
    if suffix == ".png" and model.source_spec.is_image and model.data_spec.is_image:
        path = save_samples(side_by_side(x, model.source_spec, outputs, model.data_spec), model.data_spec, output, nrow=2)
    else:
        path = save_samples(outputs, model.data_spec, output)
    click.echo(f"wrote {len(outputs)} translations to {path}")


def side_by_side(inputs, source, outputs, target):
    """Rows of (input, output) images in the output's channels, size and value range, for one PNG grid."""
    import torch
    from torch.nn import functional as F

    low, high = source.value_range or (float(inputs.min()), float(inputs.max()))
    unit = (inputs.float() - low) / max(high - low, 1e-12)
    channels, height, width = target.shape
    if unit.shape[1] != channels:
        unit = unit.mean(dim=1, keepdim=True).expand(-1, channels, -1, -1)
    if tuple(unit.shape[2:]) != (height, width):
        unit = F.interpolate(unit, size=(height, width), mode="nearest")
    out_low, out_high = target.value_range or (0.0, 1.0)
    shown = out_low + (out_high - out_low) * unit
    pairs = [image for pair in zip(shown, outputs.float(), strict=True) for image in pair]
    return torch.stack(pairs)
