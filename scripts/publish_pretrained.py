"""Publish a finished training run into `registry/NAME` and pin it in its family's catalog.

    python scripts/publish_pretrained.py RUN_DIR --name vae-mnist --catalog plugins/latent-variable/src/genzoo_latent_variable/pretrained.json \
        --description "..." --results results/vae-mnist-nll.json --results results/vae-mnist-fid.json

The card's metrics are the `genzoo eval ... -o FILE` results given with --results (their commands
are rewritten from RUN_DIR to NAME, which reproduces them once published); the recipe is the run's
own `genzoo train` command, wall time and hardware. The catalog entry gets every file's sha256, so
a published file that changes no longer loads. It loads from the bundled registry until
`genzoo publish` uploads the folder and pins the entry's hub and tag (see CONTRIBUTING).
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import click
import torch

import genzoo
from genzoo.atomic import sha256_file, write_text
from genzoo.cli.options import parse_assignments
from genzoo.metrics import load_results
from genzoo.specs import SamplingDefaults
from genzoo.training import RunConfig
from genzoo.training.outputs import hardware
from genzoo.training.trainer import equivalent_command

REGISTRY = Path(__file__).resolve().parent.parent / "registry"


def _recipe(run_dir: Path, name: str, hardware_note: str, init_as: str | None) -> genzoo.Recipe:
    """The run's own command; with `init_as`, its --init checkpoint named as a reader can get it, not by the local
    folder it was read from (e.g. the folder the description's first-stage command writes, or a published name)."""
    run = RunConfig.model_validate_json((run_dir / "train" / "run.json").read_text(encoding="utf-8"))
    if init_as:
        if run.init is None:
            raise click.UsageError(f"--init-as: {run_dir} was not started from an --init checkpoint")
        run = run.model_copy(update={"init": init_as})
    minutes = _elapsed_seconds(run_dir) / 60
    machine = hardware(torch.device("cpu"), 1) + (f", {hardware_note}" if hardware_note else "")
    return genzoo.Recipe(command=equivalent_command(run, Path(name)), duration=f"{minutes:.1f} min", hardware=machine)


def _elapsed_seconds(run_dir: Path) -> float:
    """The run's training time: its checkpoint state for gradient training; a fit (EM, closed form) keeps
    no resumable state, so the last `elapsed_s` its log recorded."""
    state = run_dir / "train" / "state" / "state.json"
    if state.exists():
        return json.loads(state.read_text(encoding="utf-8"))["elapsed_s"]
    lines = (run_dir / "train" / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return max(json.loads(line)["elapsed_s"] for line in lines if line.strip())


def _published_results(paths: tuple[str, ...], run_dir: Path, name: str) -> list[genzoo.MetricResult]:
    """The eval results, with the evaluated run folder (absolute or relative) replaced by the published name."""
    results = []
    for path in paths:
        for result in load_results(path):
            words = shlex.split(result.command)
            if words[:2] == ["genzoo", "eval"] and Path(words[2]).name == run_dir.name:  # the evaluated folder
                words[2] = name
            results.append(result.model_copy(update={"command": shlex.join(words)}))
    return results


@click.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--name", required=True, help="Published model name, e.g. vae-mnist.")
@click.option("--catalog", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The family's pretrained.json to pin the checkpoint in.")
@click.option("--description", required=True)
@click.option("--results", "results_files", multiple=True, help="A `genzoo eval -o` JSON file (repeatable).")
@click.option("--hardware-note", default="", help="Appended to the recipe's hardware, e.g. '1 thread'.")
@click.option("--sampler", help="The sampler the card's sample metrics were measured with: it becomes the model's "
                                "default (with --sampler-option values).")
@click.option("--sampler-option", "sampler_options", multiple=True, metavar="KEY=VALUE",
              help="An option of --sampler the card was measured with, e.g. guidance_scale=3 (repeatable).")
@click.option("--init-as", help="How the recipe names the run's --init checkpoint instead of its local path.")
def main(run_dir: Path, name: str, catalog: Path, description: str, results_files: tuple[str, ...],
         hardware_note: str, sampler: str | None, sampler_options: tuple[str, ...], init_as: str | None) -> None:
    if sampler_options and not sampler:
        raise click.UsageError("--sampler-option needs --sampler")
    model = genzoo.load(run_dir)
    if sampler:
        model.sampling_defaults = SamplingDefaults(sampler=sampler, options=parse_assignments(sampler_options))
    run = RunConfig.model_validate_json((run_dir / "train" / "run.json").read_text(encoding="utf-8"))
    metrics = _published_results(results_files, run_dir, name)
    card = genzoo.ModelCard(name=name, description=description, datasets=[run.dataset], tags=[model.spec.family],
                            metrics=metrics, recipe=_recipe(run_dir, name, hardware_note, init_as))
    folder = REGISTRY / name
    genzoo.save_pretrained(model, folder, card=card, preview=True)
    entry = {
        "name": name,
        "architecture": model.spec.name,
        "repo_id": f"genzoo/{name}",
        "description": description,
        "files": {path.name: sha256_file(path) for path in sorted(folder.iterdir()) if path.is_file()},
        "dataset": run.dataset,
        "metrics": {m.key: round(m.value, 6) for m in metrics},
        "recipe": card.recipe.command,
    }
    if model.sampling_defaults is not None:
        entry["sampling"] = model.sampling_defaults.model_dump(mode="json")
    entries = [e for e in json.loads(catalog.read_text(encoding="utf-8")) if e["name"] != name] + [entry]
    write_text(catalog, json.dumps(sorted(entries, key=lambda e: e["name"]), indent=1) + "\n")
    click.echo(f"published {folder} and pinned {len(entry['files'])} files in {catalog}")


if __name__ == "__main__":
    main()
