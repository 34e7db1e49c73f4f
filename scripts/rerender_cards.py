"""Re-render the README.md model cards of registry folders in the current card format.

    python scripts/rerender_cards.py registry/*

Only the format changes: every metric keeps its exact value (read back from the card's front
matter, where it is stored at full precision), its command, dataset and split; the description,
preview, recipe, license and tags are read back from the old card. The sampling line comes from
the family's catalog when config.json has none. Each folder's SHA256SUMS is rewritten; pin the
new README digests with `genzoo publish`.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import genzoo
import yaml
from genzoo.card import FLOOR_SUFFIX, MetricResult, ModelCard, Recipe
from genzoo.checkpoint import CARD_FILE, read_config, write_card_and_checksums


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


def rerender(folder: Path) -> None:
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
    card = ModelCard(name=folder.name, description=description, license=front.get("license", "apache-2.0"),
                     datasets=front.get("datasets") or [], tags=[t for t in front.get("tags", []) if t not in own_tags],
                     metrics=_metrics(front, body), recipe=recipe, preview=preview)
    if config.sampling is None and folder.name in genzoo.list_models(pretrained=True):
        config = config.model_copy(update={"sampling": genzoo.info(folder.name).pretrained.sampling})
    write_card_and_checksums(folder, card, config, spec.capabilities)
    floors = sum(m.name.endswith(FLOOR_SUFFIX) for m in card.metrics)
    click.echo(f"{folder}: {len(card.metrics)} metrics ({floors} floors) re-rendered")


@click.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
def main(folders: tuple[Path, ...]) -> None:
    for folder in folders:
        rerender(folder)


if __name__ == "__main__":
    main()
