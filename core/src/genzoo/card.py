"""Model cards: the README.md of a checkpoint, with Hugging Face YAML front matter.

The card is a pydantic model; the README is generated from it and from the checkpoint config, so
what the hub shows (license, datasets, `model-index` metrics) always matches what was measured.
Metrics carry the command that produced them, so anyone can rerun it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from genzoo.capabilities import Capability

if TYPE_CHECKING:
    from genzoo.checkpoint import CheckpointConfig


class MetricResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="e.g. 'nll', 'fid', 'bits/dim'.")
    value: float
    dataset: str
    split: str = "test"
    command: str = Field(description="The command that measured it.")
    notes: str = ""


class Recipe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: str
    duration: str = ""
    hardware: str = ""


class ModelCard(BaseModel):
    """What a person needs to trust and reuse a checkpoint."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    license: str = "apache-2.0"
    datasets: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    metrics: list[MetricResult] = Field(default_factory=list)
    recipe: Recipe | None = None
    preview: str | None = Field(None, description="File name of a sample grid in the checkpoint folder.")


def _task_type(config: CheckpointConfig, capabilities: frozenset[Capability]) -> str:
    """The Hugging Face task a checkpoint's metrics belong to."""
    if Capability.SAMPLE not in capabilities:
        return "image-classification" if config.data_spec.is_image else "other"
    return "unconditional-image-generation" if config.data_spec.is_image else "other"


def _front_matter(card: ModelCard, config: CheckpointConfig, capabilities: frozenset[Capability]) -> str:
    from huggingface_hub import EvalResult, ModelCardData

    results = [
        EvalResult(
            task_type=_task_type(config, capabilities),
            dataset_type=m.dataset,
            dataset_name=m.dataset,
            dataset_split=m.split,
            metric_type=m.name,
            metric_value=m.value,
        )
        for m in card.metrics
    ]
    data = ModelCardData(
        library_name="genzoo",
        license=card.license,
        datasets=card.datasets or None,
        tags=["genzoo", config.architecture, *card.tags],
        model_name=card.name if results else None,
        eval_results=results or None,
    )
    return data.to_yaml()


def render_readme(card: ModelCard, config: CheckpointConfig, checksums: dict[str, str],
                  capabilities: frozenset[Capability]) -> str:
    """The README.md text: YAML front matter, usage, metrics, recipe, config and file digests."""
    lines = ["---", _front_matter(card, config, capabilities), "---", "", f"# {card.name}", ""]
    if card.description:
        lines += [card.description, ""]
    if card.preview:
        lines += [f"![samples]({card.preview})", ""]
    lines += [
        "## Usage",
        "",
        "```python",
        "import genzoo, torch",
        f'model = genzoo.load("{card.name}")',
        *(["x = model.sample(16, generator=torch.Generator().manual_seed(0))"] if Capability.SAMPLE in capabilities else []),
        "```",
        "",
        f"Architecture `{config.architecture}` from `{config.plugin.name}` {config.plugin.version}.",
        "",
    ]
    if card.metrics:
        lines += ["## Metrics", "", "| metric | value | dataset | split | command |", "|---|---|---|---|---|"]
        lines += [f"| {m.name} | {m.value:.4g} | {m.dataset} | {m.split} | `{m.command}` |" for m in card.metrics]
        lines.append("")
    if card.recipe:
        lines += ["## Recipe", "", f"    {card.recipe.command}", ""]
        extra = ", ".join(x for x in (card.recipe.duration, card.recipe.hardware) if x)
        if extra:
            lines += [f"Took {extra}.", ""]
    lines += ["## Config", "", "```json", config.model_dump_json(indent=2, include={"config", "data_spec"}), "```", ""]
    lines += ["## Files", "", "| file | sha256 |", "|---|---|"]
    lines += [f"| {name} | `{digest}` |" for name, digest in sorted(checksums.items())]
    return "\n".join(lines) + "\n"
