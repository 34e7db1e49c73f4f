"""`genzoo eval`: measure a model (or real data) with registered metrics, as a table and JSON.

Each result carries the canonical command that reproduces it, so model cards quote it verbatim.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click

from genzoo.cli.options import MAX_SAMPLES, SAMPLE_COUNT, SEED, parse_assignments
from genzoo.cli.table import format_table
from genzoo.errors import CheckpointError, GenzooError


def _card_dataset(name: str) -> str | None:
    """The dataset a pretrained name or checkpoint folder was trained on, from its spec or card."""
    path = Path(name).expanduser()
    if path.is_dir():
        readme = path / "README.md"
        if not readme.is_file():
            return None
        from huggingface_hub import ModelCard
        from yaml import YAMLError

        try:
            datasets = ModelCard.load(readme).data.datasets or []
        except (ValueError, YAMLError) as error:  # hostile or hand-edited front matter; UnicodeDecodeError too
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise CheckpointError(f"{readme}: malformed model card front matter ({first_line}); pass --data NAME "
                                  "or fix the YAML between the --- lines") from None
        return datasets[0] if datasets else None
    from genzoo.registry import get_registry
    from genzoo.specs import PretrainedSpec

    spec = get_registry().model(name)
    return spec.dataset or None if isinstance(spec, PretrainedSpec) else None


def eval_command_line(target: list[str], metric: str, data: str, n, seed, sampler, assignments, likelihood,
                      data_dir) -> str:
    words = ["genzoo", "eval", *target, "--metric", metric, "--data", data, "--seed", str(seed)]
    if n is not None:
        words += ["--n", str(n)]
    if sampler:
        words += ["--sampler", sampler]
    for pair in assignments:
        words += ["--set", pair]
    for pair in likelihood:
        words += ["--likelihood", pair]
    if data_dir:
        words += ["--data-dir", data_dir]
    return shlex.join(words)


@click.command("eval")
@click.argument("name", required=False)
@click.option("--metric", "metrics", multiple=True, required=True, help="A registered metric (repeatable): nll, fid, kid, cond-acc, modes, accuracy, ...")
@click.option("--real", metavar="DATASET", help="Measure the real-data floor (test vs train) of DATASET instead of a model.")
@click.option("--data", help="Registered dataset; default: the one in the model's card.")
@click.option("--data-dir", type=click.Path(file_okay=False), help="Folder with dataset files (default $GENZOO_DATA).")
@click.option("--n", type=SAMPLE_COUNT, help="Number of samples/examples; default: the metric's own.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--sampler", help="A registered sampler; default: the model's own.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="A sampler option (repeatable).")
@click.option("--likelihood", multiple=True, metavar="KEY=VALUE",
              help="An option of the model's log_prob for nll (repeatable), e.g. k=5000 importance samples.")
@click.option("--batch-size", type=click.IntRange(1, MAX_SAMPLES), default=500, show_default=True)
@click.option("--device", help="torch device; default cuda when available, else cpu.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the results as JSON to this file.")
@click.option("--no-verify", is_flag=True, help="Load a checkpoint folder without sha256 checks (only one you made and trust).")
def eval_command(name, metrics, real, data, data_dir, n, seed, sampler, assignments, likelihood, batch_size, device,
                 as_json, output, no_verify) -> None:
    """Evaluate NAME (a pretrained name or checkpoint folder) with --metric, or real data with --real DATASET."""
    import genzoo
    from genzoo.atomic import require_parent_folder, write_text
    from genzoo.data import dataset_factory
    from genzoo.cli.sample import checked_device
    from genzoo.metrics import evaluate
    from genzoo.metrics.base import EvalRequest
    from genzoo.registry import get_registry

    if bool(name) == bool(real):  # an empty string counts as not given
        raise click.UsageError("give a model NAME or --real DATASET (not both)")
    device = checked_device(device)
    if output:
        require_parent_folder(output)
    model = None if real else genzoo.load(name, device=device, verify=not no_verify)
    data = real or data or _card_dataset(name)
    if data is None:
        raise GenzooError(f"{name}: its card names no dataset; pass --data NAME")
    dataset_factory(data)  # an unknown dataset name fails here, with suggestions, before any metric runs
    options = parse_assignments(assignments)
    likelihood_options = parse_assignments(likelihood)
    target = ["--real", real] if real else [name]
    results = []
    for metric in metrics:
        draws = get_registry().metric(metric).draws_samples
        sampling = (sampler, options, assignments) if draws else (None, {}, ())
        if not draws and (sampler or assignments):
            click.echo(f"note: {metric} draws no samples; --sampler and --set do not apply to it", err=True)
        request = EvalRequest(data=data, data_dir=data_dir, n=n, seed=seed, sampler=sampling[0],
                              sampler_options=sampling[1], draws_samples=draws, likelihood_options=likelihood_options,
                              batch_size=batch_size, device=device,
                              command=eval_command_line(target, metric, data, n, seed, sampling[0], sampling[2],
                                                        likelihood, data_dir))
        results += evaluate(model, metric, request)
    report = {"model": name, "real": real, "dataset": data, "results": [r.model_dump() for r in results]}
    if output:
        write_text(Path(output), json.dumps(report, indent=2) + "\n")
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    rows = [[r.name, f"{r.value:.6g}", r.dataset, r.split, r.notes] for r in results]
    click.echo(format_table(["METRIC", "VALUE", "DATASET", "SPLIT", "NOTES"], rows, max_width=100))
