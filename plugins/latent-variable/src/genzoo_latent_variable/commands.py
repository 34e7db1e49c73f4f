"""The family's CLI commands: `genzoo encode` and `genzoo interpolate`.

Both take a pretrained name or checkpoint folder and inputs that are image files or DATASET:INDEX
(an example of that dataset's test split, e.g. mnist:7), so README grids can be rebuilt without
shipping images.
"""

from __future__ import annotations

import click

# A grid of one row: more frames than this is a typo, refused before anything is decoded.
MAX_STEPS = 1000


def _label_option(function):
    return click.option("--label", type=int, help="Class label for conditional models (default: the dataset's).")(function)


def _load(name: str, device: str | None):
    import genzoo

    return genzoo.load(name, device=device)


def _labels(model, labels: list[int | None], override: int | None):
    """The condition tensor for conditional models: --label, else the examples' own labels."""
    import torch

    from genzoo.plugin import GenzooError

    if not model.conditional:
        return None
    chosen = [override if override is not None else label for label in labels]
    if any(label is None for label in chosen):
        raise GenzooError(f"{model.name!r} is conditional: pass --label for image files")
    classes = model.data_spec.num_classes
    if classes is not None and not all(0 <= label < classes for label in chosen):
        raise GenzooError(f"{model.name!r} labels must be in [0, {classes - 1}], got {sorted(set(chosen))}")
    return torch.tensor(chosen, device=model.device)


@click.command("encode")
@click.argument("name")
@click.argument("inputs", nargs=-1, required=True)
@_label_option
@click.option("--data-dir", type=click.Path(file_okay=False), help="Folder with dataset files (default $GENZOO_DATA).")
@click.option("--device", help="torch device (default: cpu).")
@click.option("-o", "--output", default="codes.npy", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the codes: .npy or .pt.")
def encode_command(name, inputs, label, data_dir, device, output) -> None:
    """Encode INPUTS (image files or DATASET:INDEX) with NAME's encoder into a codes file."""
    import torch

    from genzoo.plugin import Capability, CapabilityError, GenzooError, save_samples

    if not output.lower().endswith((".npy", ".pt")):
        raise GenzooError(f"{output}: codes are written as .npy or .pt")
    model = _load(name, device)
    if Capability.ENCODE not in model.capabilities:
        raise CapabilityError(f"{model.name!r} has no encoder")
    examples = [_read(model, source, data_dir) for source in inputs]
    x = torch.stack([x for x, _ in examples]).to(model.device)
    with torch.no_grad():
        codes = model.encode(x, condition=_labels(model, [y for _, y in examples], label))
    save_samples(codes.cpu(), model.data_spec, output)
    click.echo(f"wrote {len(codes)} codes of shape {tuple(codes.shape[1:])} to {output}")


@click.command("interpolate")
@click.argument("name")
@click.option("--from", "start", required=True, help="Image file or DATASET:INDEX, e.g. mnist:3.")
@click.option("--to", "end", required=True, help="Image file or DATASET:INDEX.")
@click.option("--steps", type=click.IntRange(2, MAX_STEPS), default=10, show_default=True,
              help="Points on the path, ends included.")
@click.option("--method", type=click.Choice(["slerp", "linear"]), default="slerp", show_default=True)
@click.option("--output-kind", type=click.Choice(["mean", "sample"]), default="mean", show_default=True,
              help="mean: the decoder mean (what people want to look at); sample: a draw from p(x|z).")
@click.option("--seed", type=click.IntRange(0, 2**64 - 1), default=0, show_default=True)  # torch's seed range
@_label_option
@click.option("--data-dir", type=click.Path(file_okay=False), help="Folder with dataset files (default $GENZOO_DATA).")
@click.option("--device", help="torch device (default: cpu).")
@click.option("-o", "--output", default="interpolation.png", show_default=True, type=click.Path(dir_okay=False),
              help=".png grid (one row), .npy or .pt.")
def interpolate_command(name, start, end, steps, method, output_kind, seed, label, data_dir, device, output) -> None:
    """Decode the latent path of NAME between two inputs into a grid."""
    import torch

    from genzoo.plugin import CapabilityError, save_samples

    from genzoo_latent_variable.interpolation import interpolate

    model = _load(name, device)
    if not callable(getattr(model, "decode_output", None)):
        raise CapabilityError(f"{model.name!r} has no decoder to interpolate with")
    (a, label_a), (b, label_b) = _read(model, start, data_dir), _read(model, end, data_dir)
    condition = _labels(model, [label_a, label_b], label)
    generator = torch.Generator(device=model.device).manual_seed(seed)
    frames_condition = None if condition is None else condition[:1].expand(steps)
    with torch.no_grad():
        frames = interpolate(model, torch.stack([a, b]).to(model.device), steps, method, pair_condition=condition,
                             condition=frames_condition, generator=generator, output=output_kind)
    save_samples(frames.cpu(), model.data_spec, output, nrow=steps)
    click.echo(f"wrote {steps} {method} interpolation frames to {output}")


def _read(model, source: str, data_dir: str | None):
    from genzoo.plugin import read_example

    return read_example(model.data_spec, source, data_dir=data_dir, name=repr(model.name))
