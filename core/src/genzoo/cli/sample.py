"""`genzoo sample`: draw samples from a pretrained name or checkpoint folder and save them."""

from __future__ import annotations

import click

from genzoo.cli.options import SAMPLE_COUNT, SEED, parse_assignments
from genzoo.errors import GenzooError

PRIOR = "prior"  # --condition prior: labels from the model's class prior (GenerativeModel.prior_labels)


def _parse_condition(text: str | None, n: int) -> list[int] | None:
    """'3' -> all threes; '0,1,2' -> labels tiled to n (so -n 100 with ten labels gives rows)."""
    if text is None:
        return None
    try:
        labels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated class labels, got {text!r}", param_hint="--condition") from None
    if not labels:
        raise click.BadParameter("no labels given", param_hint="--condition")
    return [labels[i % len(labels)] for i in range(n)]


def _read_condition(model, source: str):
    """A vector or image condition from a file or dataset example; a single one is used for every sample."""
    from genzoo.inputs import read_inputs

    conditions, _labels = read_inputs(model.condition_spec, [source], name=f"the condition of {model.name!r}")
    return conditions[0] if len(conditions) == 1 else conditions


def checked_device(device: str | None) -> str:
    """`--device` as given (default cuda when available, else cpu), or a usage error naming it when it is not a
    device name or this machine cannot run models on it (see genzoo.devices)."""
    from genzoo.devices import default_device, usable_device
    from genzoo.errors import ConfigError

    device = device or default_device()
    try:
        usable_device(device)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="--device") from None
    return device


def require_memory(n: int, data_spec) -> None:
    """Refuse, before sampling, a count whose float32 samples alone exceed this machine's physical memory."""
    import os

    needed = n * data_spec.dim * 4
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if needed > total:
        raise GenzooError(f"-n {n}: the samples alone need {needed / 2**30:.1f} GiB, more than this machine's "
                          f"{total / 2**30:.1f} GiB of memory; draw fewer (several runs with different --seed)")


@click.command("sample")
@click.argument("name")
@click.option("-n", "--num-samples", "n", type=SAMPLE_COUNT, default=64, show_default=True)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the torch.Generator used for sampling.")
@click.option("--sampler", help="A registered sampler (see `genzoo info NAME`); default: the card's, else the model's own.")
@click.option("--steps", type=click.IntRange(min=1), help="Shorthand for --set steps=N.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="A sampler option (repeatable).")
@click.option("--condition", help="Class label(s) for conditional models: '3' or '0,1,...,9' (tiled to -n), or "
                                  "'prior': labels drawn from the model's own class prior, i.e. samples of the "
                                  "joint p(y)p(x|y) (models that fit one, e.g. bayes-gaussian); default: every "
                                  "class equally often. Models conditioned on vectors or images take one IMG, "
                                  "DATASET:INDEX or FILE.npy (one condition, or one per sample).")
@click.option("--device", help="torch device; default cuda when available, else cpu.")
@click.option("-o", "--output", default="samples.png", show_default=True, type=click.Path(dir_okay=False),
              help="Output file: .png (image grid or 2D scatter), .npy or .pt.")
@click.option("--no-verify", is_flag=True, help="Load a checkpoint folder without sha256 checks (only one you made and trust).")
def sample_command(name, n, seed, sampler, steps, assignments, condition, device, output, no_verify) -> None:
    """Sample from NAME (a pretrained name, a checkpoint folder or hf://org/repo@rev) and save to -o."""
    from pathlib import Path

    import torch

    import genzoo
    from genzoo.atomic import require_parent_folder
    from genzoo.outputs import SUFFIXES, save_samples

    if Path(output).suffix.lower() not in SUFFIXES:
        raise click.BadParameter(f"unsupported format; use one of {', '.join(SUFFIXES)}", param_hint="-o")
    require_parent_folder(output)
    options = parse_assignments(assignments)
    if steps is not None:
        options["steps"] = steps
    device = checked_device(device)
    model = genzoo.load(name, device=device, verify=not no_verify)
    require_memory(n, model.data_spec)
    generator = torch.Generator(device=device).manual_seed(seed)
    if condition == PRIOR:
        labels = model.prior_labels(n, generator=generator)
    elif condition is not None and model.condition_spec is not None:
        labels = _read_condition(model, condition)
    else:
        labels = _parse_condition(condition, n)
    if labels is None:
        labels = model.balanced_condition(n)
        if labels is not None:
            click.echo(f"genzoo: no --condition given: {n} samples with balanced labels 0..{model.data_spec.num_classes - 1}",
                       err=True)
    described = model.card_sampling(sampler, options)
    if described:
        click.echo(f"genzoo: sampling with {described}, as measured on the card", err=True)
    samples = model.sample(n, condition=labels, generator=generator, sampler=sampler, **options)
    path = save_samples(samples.cpu(), model.data_spec, output)
    click.echo(f"wrote {n} samples to {path}")
