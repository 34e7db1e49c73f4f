"""Re-render the README.md model cards of registry folders in the current card format.

    python scripts/rerender_cards.py registry/*

Only the format changes: every metric keeps its exact value (read back from the card's front
matter, where it is stored at full precision), its command, dataset and split; the description,
preview, recipe, license and tags are read back from the old card. The sampling line comes from
the family's catalog when config.json has none. Each folder's SHA256SUMS is rewritten; pin the
new README digests with `genzoo publish`.

When a sampler option's default changes, the cards' commands that relied on the old default would
measure something else. `--pin-option precision=float32` writes the old value into every metric
command that names a sampler and leaves that option unset, so each command again reproduces its
number (the values are unchanged: they were measured with it). `--catalog` then re-pins the cards'
catalog entries to the rewritten folders: their metric keys and file digests, with the hub tag dropped
(the tag holds the old bytes) until `genzoo publish` uploads them again.

    python scripts/rerender_cards.py registry/ddpm-digits --pin-option precision=float32 \
        --catalog plugins/diffusion/src/genzoo_diffusion/pretrained.json

`--add-results FILE` appends the results of a `genzoo eval NAME ... -o FILE` run on the published model
to its card, for a number measured after publishing (the training run's folder is not needed, unlike
publish_pretrained.py); a result whose key the card already holds is refused, not overwritten.

    python scripts/rerender_cards.py registry/ddpm-mnist-cond --add-results fp32.json \
        --catalog plugins/diffusion/src/genzoo_diffusion/pretrained.json
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import genzoo
import yaml
from genzoo.atomic import sha256_file, write_text
from genzoo.card import FLOOR_SUFFIX, MetricResult, ModelCard, Recipe
from genzoo.checkpoint import CARD_FILE, read_config, write_card_and_checksums
from genzoo.errors import GenzooError
from genzoo.hub.publish import checkpoint_files
from genzoo.metrics import load_results
from genzoo.specs import PretrainedSpec, SamplingDefaults


def _section(text: str, title: str) -> list[str]:
    """The lines of a `## title` section, without its heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    return match.group(1).strip("\n").splitlines() if match else []


def _metrics(front: dict, text: str) -> list[MetricResult]:
    """The table's rows in order, each with the full-precision value of its front-matter entry."""
    stored = [(metric["type"], result["dataset"]["split"], metric["value"])
              for entry in front.get("model-index", []) for result in entry["results"] for metric in result["metrics"]]
    stored += [(f["metric"], f["split"], f["value"]) for f in front.get("genzoo_floors", [])]
    rows = [line.strip("|").split(" | ") for line in _section(text, "Metrics") if line.startswith("| ")]
    metrics = []
    for cells in rows[1:]:  # the header row first
        name, *_, shown, dataset, split, command = (cell.strip() for cell in cells)
        name = name.replace(" (floor: real test vs train)", "")
        match = next(i for i, (kind, where, value) in enumerate(stored)
                     if (kind, where) == (name, split) and f"{value:.4g}" == shown)
        metrics.append(MetricResult(name=name, value=stored.pop(match)[2], dataset=dataset, split=split,
                                    command=command.strip("`")))
    return metrics


def pin_option(metric: MetricResult, key: str, value: str) -> MetricResult:
    """The metric with `--set key=value` after its command's last sampler setting, if the command names a sampler
    and does not set `key` itself; otherwise unchanged."""
    words = shlex.split(metric.command)
    settings = [i + 1 for i, word in enumerate(words[:-1]) if word in ("--sampler", "--set")]
    named_sampler = any(words[i - 1] == "--sampler" for i in settings)
    if not named_sampler or any(words[i].startswith(f"{key}=") for i in settings if words[i - 1] == "--set"):
        return metric
    at = max(i for i in settings if not words[i].startswith("progress=")) + 1
    words[at:at] = ["--set", f"{key}={value}"]
    return metric.model_copy(update={"command": shlex.join(words)})


def repin_catalog_entry(catalog: Path, folder: Path, card: ModelCard) -> None:
    """Point the folder's catalog entry at what the folder now holds: the card's metric keys and the files'
    digests; a hub tag is dropped, since it names the old bytes (`genzoo publish` pins the new ones)."""
    entries = json.loads(catalog.read_text(encoding="utf-8"))
    entry = next(e for e in entries if e["name"] == folder.name)  # main checked it before rewriting the folder
    for coordinate in ("hub", "revision"):
        entry.pop(coordinate, None)
    entry["files"] = {name: sha256_file(folder / name) for name in checkpoint_files(folder)}
    entry["metrics"] = {m.key: round(m.value, 6) for m in card.metrics}
    PretrainedSpec.model_validate(entry)
    write_text(catalog, json.dumps(entries, indent=1) + "\n")


def state_card_sampler(metric: MetricResult, sampling: SamplingDefaults | None) -> MetricResult:
    """The metric with the card's sampler and options written into its command, if it draws samples and its
    command names no sampler (so `genzoo eval` drew them with the card's defaults, as its notes say): the
    card's other commands name theirs, and a later change of the card's defaults must not change what this
    one measures. An option the command sets itself keeps its value."""
    words = shlex.split(metric.command)
    drawn = genzoo.get_registry().metric(metric.name.removesuffix(FLOOR_SUFFIX)).draws_samples
    if sampling is None or not drawn or "--sampler" in words:
        return metric
    own = {words[i + 1].partition("=")[0] for i, word in enumerate(words[:-1]) if word == "--set"}
    stated = ["--sampler", sampling.sampler]
    for key, value in sampling.options.items():
        if key not in own:
            stated += ["--set", f"{key}={value}"]
    at = words.index("--set") if "--set" in words else len(words)
    words[at:at] = stated
    return metric.model_copy(update={"command": shlex.join(words)})


def added_results(folder: Path, paths: tuple[Path, ...], held: list[MetricResult],
                  sampling: SamplingDefaults | None) -> list[MetricResult]:
    """The results in `paths`, checked to be measured on the published name `folder.name` and new to the card,
    with the card's sampler stated where they relied on it."""
    try:
        results = [state_card_sampler(result, sampling) for path in paths for result in load_results(path)]
    except (ValueError, KeyError, TypeError, GenzooError) as error:  # not what `genzoo eval -o` writes
        raise click.UsageError(f"--add-results: not a `genzoo eval -o` results file ({type(error).__name__})")
    keys = {m.key for m in held}
    for result in results:
        words = shlex.split(result.command)
        if words[:3] != ["genzoo", "eval", folder.name]:
            raise click.UsageError(f"--add-results: {result.key} was measured by `{result.command}`, "
                                   f"not by `genzoo eval {folder.name} ...`")
        if result.key in keys:
            raise click.UsageError(f"--add-results: {folder.name}'s card already holds {result.key}")
        keys.add(result.key)
    return results


def rerender(folder: Path, pinned_options: dict[str, str] | None = None,
             results_files: tuple[Path, ...] = ()) -> ModelCard:
    text = (folder / CARD_FILE).read_text(encoding="utf-8")
    _, front_text, body = text.split("---\n", 2)
    front = yaml.safe_load(front_text)
    config = read_config(folder)
    lines = body.strip("\n").splitlines()
    intro = lines[lines.index(f"# {folder.name}") + 1:lines.index("## Usage")]
    preview = next((m.group(1) for line in intro if (m := re.fullmatch(r"!\[samples\]\((.+)\)", line))), None)
    description = "\n".join(line for line in intro if not line.startswith("![samples]")).strip()
    recipe_lines = [line.strip() for line in _section(body, "Recipe") if line.strip()]
    recipe = None
    if recipe_lines:
        duration, _, hardware = recipe_lines[1].removeprefix("Took ").removesuffix(".").partition(", ") \
            if len(recipe_lines) > 1 else ("", "", "")
        recipe = Recipe(command=recipe_lines[0], duration=duration, hardware=hardware)
    spec = genzoo.get_registry().architecture(config.architecture)
    own_tags = {"genzoo", config.architecture, "conditional"}
    metrics = _metrics(front, body)
    for key, value in (pinned_options or {}).items():
        metrics = [pin_option(m, key, value) for m in metrics]
    if config.sampling is None and folder.name in genzoo.list_models(pretrained=True):
        config = config.model_copy(update={"sampling": genzoo.info(folder.name).pretrained.sampling})
    metrics += added_results(folder, results_files, metrics, config.sampling)
    card = ModelCard(name=folder.name, description=description, license=front.get("license", "apache-2.0"),
                     datasets=front.get("datasets") or [], tags=[t for t in front.get("tags", []) if t not in own_tags],
                     metrics=metrics, recipe=recipe, preview=preview)
    write_card_and_checksums(folder, card, config, spec.capabilities)
    floors = sum(m.name.endswith(FLOOR_SUFFIX) for m in card.metrics)
    click.echo(f"{folder}: {len(card.metrics)} metrics ({floors} floors) re-rendered")
    return card


@click.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--pin-option", "pinned", multiple=True, metavar="KEY=VALUE",
              help="A sampler option's old default, written into every command that names a sampler and relied on "
                   "it (repeatable).")
@click.option("--catalog", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The family's pretrained.json whose entries for FOLDERS are re-pinned to the rewritten files.")
@click.option("--add-results", "results_files", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A `genzoo eval NAME -o FILE` JSON file whose results join the card (repeatable; one folder).")
def main(folders: tuple[Path, ...], pinned: tuple[str, ...], catalog: Path | None,
         results_files: tuple[Path, ...]) -> None:
    pinned_options = {}
    for assignment in pinned:  # kept as written: the value goes back into a command line
        key, sep, value = assignment.partition("=")
        if not sep or not key or not value:
            raise click.BadParameter(f"expected KEY=VALUE, got {assignment!r}", param_hint="--pin-option")
        pinned_options[key] = value
    names = {entry["name"] for entry in json.loads(catalog.read_text(encoding="utf-8"))} if catalog else set()
    missing = [folder.name for folder in folders if catalog is not None and folder.name not in names]
    if missing:
        raise click.UsageError(f"{catalog}: no entry named {', '.join(missing)}")
    if results_files and len(folders) != 1:
        raise click.UsageError("--add-results: name exactly one folder, the model the results were measured on")
    for folder in folders:
        card = rerender(folder, pinned_options, results_files)
        if catalog is not None:
            repin_catalog_entry(catalog, folder, card)


if __name__ == "__main__":
    main()
