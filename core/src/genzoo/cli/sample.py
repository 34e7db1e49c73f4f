"""`genzoo sample`: draw samples from a pretrained name or checkpoint folder and save them.

Models with the `complete` capability (autoregressive ones) also complete partly observed examples:
`--prefix SOURCE` is read through the model's data view and handed to its sampler as the `prefix`
option (with `prefix_length` from `--prefix-length`); what counts as an element and in which order is
the model's business. Text models (a `decode_text(samples) -> list[str]` method) have their samples
printed, or written to a .txt file, instead of drawn.
"""

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


def _read_prefix(model, source: str, n: int):
    """The prefix `model.sample` gets and the samples per PNG row: text for text models (their
    `encode_text`), else one or more examples from an image, DATASET:INDEX or .npy file, each repeated for
    n / (their number) consecutive samples. Binary and discrete float data are snapped to their levels
    (an image file's grey values would otherwise be no value the model knows)."""
    from genzoo.capabilities import Capability
    from genzoo.distributions import snap_to_levels
    from genzoo.errors import CapabilityError
    from genzoo.inputs import read_inputs

    if Capability.COMPLETE not in model.capabilities:
        raise CapabilityError(f"{model.name!r} cannot complete a prefix: it lacks the 'complete' capability")
    if callable(getattr(model, "encode_text", None)):
        return model.encode_text(source), None
    spec = model.data_spec
    prefixes, _labels = read_inputs(spec, [source], name=model.name)
    if spec.kind != "continuous" and spec.dtype != "int64":
        prefixes = snap_to_levels(prefixes, spec.levels or 2, spec.value_range)
    if n % len(prefixes):
        raise GenzooError(f"-n {n} must be a multiple of the {len(prefixes)} prefixes in {source}")
    per_prefix = n // len(prefixes)
    return prefixes.repeat_interleave(per_prefix, dim=0), per_prefix


def _write_text(model, samples, output: str | None) -> None:
    """Print a text model's samples (a header before each when there are several), or write them to .txt."""
    from pathlib import Path

    from genzoo.atomic import write_text

    texts = model.decode_text(samples)
    joined = texts[0] if len(texts) == 1 else "\n".join(f"=== sample {i} ===\n{t}" for i, t in enumerate(texts))
    if output is None:
        click.echo(joined)
    else:
        write_text(Path(output), joined + "\n")
        click.echo(f"wrote {len(texts)} samples to {output}")


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
@click.option("--prefix", metavar="SOURCE",
              help="Complete partly observed examples (models with the 'complete' capability, e.g. autoregressive "
                   "ones): DATASET:INDEX (a test example seen through the model's data view, e.g. mnist:3), an "
                   "image file, or FILE.npy (one example or a batch; -n must be a multiple of their number and "
                   "each PNG row shows one prefix's completions). Text models take the text itself. The first "
                   "--prefix-length elements in the model's order are kept, the rest sampled.")
@click.option("--prefix-length", type=click.IntRange(0, 10**9), metavar="N",
              help="How many elements of --prefix are observed, in the model's order (default: half of them; "
                   "for a 28x28 image in raster order 392 is the top 14 rows; a text prefix: all of it).")
@click.option("--device", help="torch device; default cuda when available, else cpu.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Output file: .png (image grid or 2D scatter), .npy or .pt; .txt for text models. Default: "
                   "samples.png, or printed for text models.")
@click.option("--no-verify", is_flag=True, help="Load a checkpoint folder without sha256 checks (only one you made and trust).")
def sample_command(name, n, seed, sampler, steps, assignments, condition, prefix, prefix_length, device, output,
                   no_verify) -> None:
    """Sample from NAME (a pretrained name, a checkpoint folder or hf://org/repo@rev) and save to -o (text
    models: print)."""
    from pathlib import Path

    import torch

    import genzoo
    from genzoo.atomic import require_parent_folder
    from genzoo.outputs import SUFFIXES, save_samples

    if output is not None and Path(output).suffix.lower() not in (*SUFFIXES, ".txt"):
        raise click.BadParameter(f"unsupported format; use one of {', '.join(SUFFIXES)} (.txt for text models)",
                                 param_hint="-o")
    if output is not None:
        require_parent_folder(output)
    if prefix_length is not None and prefix is None:
        raise click.BadParameter("needs --prefix", param_hint="--prefix-length")
    options = parse_assignments(assignments)
    if steps is not None:
        options["steps"] = steps
    device = checked_device(device)
    model = genzoo.load(name, device=device, verify=not no_verify)
    text = callable(getattr(model, "decode_text", None))
    suffix = Path(output).suffix.lower() if output is not None else None
    if suffix == ".txt" and not text:
        raise click.BadParameter(".txt is for text models", param_hint="-o")
    if suffix == ".png" and text:
        raise click.BadParameter(f"{model.name!r} is a text model: give a .txt, .npy or .pt file, or no -o to print",
                                 param_hint="-o")
    require_memory(n, model.data_spec)
    per_row = None
    if prefix is not None:
        options["prefix"], per_row = _read_prefix(model, prefix, n)
        if prefix_length is not None:
            options["prefix_length"] = prefix_length
        elif text:  # a prompt is observed whole, whatever its length
            options["prefix_length"] = len(options["prefix"])
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
        card_options = model.sampling_defaults.options
        yours = sorted(k for k, v in options.items() if k not in card_options or card_options[k] != v)
        source = f"the card's sampler with your {', '.join(yours)}" if yours else "as measured on the card"
        click.echo(f"genzoo: sampling with {described}, {source}", err=True)
    samples = model.sample(n, condition=labels, generator=generator, sampler=sampler, **options)
    if text and suffix in (None, ".txt"):
        _write_text(model, samples.cpu(), output)
        return
    path = save_samples(samples.cpu(), model.data_spec, output or "samples.png", nrow=per_row)
    click.echo(f"wrote {n} samples to {path}")
