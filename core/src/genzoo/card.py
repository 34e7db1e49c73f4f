"""Model cards: the README.md of a checkpoint, with Hugging Face YAML front matter.

The card is a pydantic model; the README is generated from it and from the checkpoint config, so
what the hub shows (license, datasets, `model-index` metrics) always matches what was measured.
Metrics carry the command that produced them, so anyone can rerun it.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from genzoo.capabilities import Capability

if TYPE_CHECKING:
    from genzoo.checkpoint import CheckpointConfig


# Options of a measuring command that change the number (`progress=` only changes the display). The seed is
# part of the setting only when it is not the default 0, so that a result on held-out noise gets its own key.
_SETTING_FLAGS = ("--likelihood", "--sampler", "--set", "--n", "--seed")
_NAMED_FLAGS = ("--sampler", "--n", "--seed")
_DISPLAY_ONLY = ("progress=",)
_DEFAULT_SEED = "0"
FLOOR_SUFFIX = "-floor"
# Units a reader could get wrong: KID papers print MMD^2 x 1000; genzoo's cards keep it raw.
UNITS = {"kid": "raw unbiased MMD^2 (polynomial kernel) on the classifier's features, not x 1000"}


class MetricResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="e.g. 'nll', 'fid', 'bits/dim'; a '-floor' suffix marks real test vs real train.")
    value: float
    dataset: str
    split: str = "test"
    command: str = Field(description="The command that measured it.")
    notes: str = ""

    @property
    def setting(self) -> str:
        """What tells this result from the same metric measured otherwise, e.g. 'n=2000,sampler=ddim,steps=50'."""
        words = shlex.split(self.command)
        return ",".join(f"{flag[2:]}={value}" if flag in _NAMED_FLAGS else value
                        for flag, value in zip(words, words[1:])
                        if flag in _SETTING_FLAGS and not value.startswith(_DISPLAY_ONLY)
                        and (flag, value) != ("--seed", _DEFAULT_SEED))

    @property
    def key(self) -> str:
        """The catalog key: the name with its setting, e.g. 'fid[n=2000,sampler=ddim,steps=50]'."""
        return f"{self.name}[{self.setting}]" if self.setting else self.name

    @property
    def is_floor(self) -> bool:
        """A floor (the metric between real test and real train images) describes the data, not the model."""
        return self.name.endswith(FLOOR_SUFFIX)


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


def pipeline_tag(config: CheckpointConfig, capabilities: frozenset[Capability]) -> str:
    """The Hugging Face task of a checkpoint. The Hub has no class-conditional generation task, so
    conditional image generators share `unconditional-image-generation` and carry a `conditional` tag."""
    if Capability.TRANSLATE in capabilities:
        return "image-to-image"
    if Capability.SAMPLE not in capabilities:
        return "image-classification" if config.data_spec.is_image else "other"
    return "unconditional-image-generation" if config.data_spec.is_image else "other"


def _front_matter(card: ModelCard, config: CheckpointConfig, capabilities: frozenset[Capability]) -> str:
    """YAML front matter; `model-index` holds the model's results only, each named with its setting."""
    from huggingface_hub import EvalResult, ModelCardData

    task = pipeline_tag(config, capabilities)
    results = [
        EvalResult(
            task_type=task,
            dataset_type=m.dataset,
            dataset_name=m.dataset,
            dataset_split=m.split,
            metric_type=m.name,
            metric_value=m.value,
            metric_name=m.key,
            metric_config=m.setting or None,
        )
        for m in card.metrics if not m.is_floor
    ]
    conditional = ["conditional"] if Capability.CONDITIONAL in capabilities else []
    floors = [{"metric": m.name, "setting": m.setting, "value": m.value, "dataset": m.dataset, "split": m.split}
              for m in card.metrics if m.is_floor]
    data = ModelCardData(
        library_name="genzoo",
        pipeline_tag=task,
        license=card.license,
        datasets=card.datasets or None,
        tags=["genzoo", config.architecture, *card.tags, *conditional],
        model_name=card.name if results else None,
        eval_results=results or None,
        **({"genzoo_floors": floors} if floors else {}),  # beside, not in, model-index: they are not results
    )
    return data.to_yaml()


def _metrics_table(metrics: list[MetricResult]) -> list[str]:
    """Every result with its setting; floors marked as such, units a reader could misread stated."""
    lines = ["## Metrics", "", "| metric | setting | value | dataset | split | command |", "|---|---|---|---|---|---|"]
    for m in metrics:
        name = f"{m.name} (floor: real test vs train)" if m.is_floor else m.name
        lines.append(f"| {name} | {m.setting} | {m.value:.4g} | {m.dataset} | {m.split} | `{m.command}` |")
    units = sorted({m.name.removesuffix(FLOOR_SUFFIX) for m in metrics} & set(UNITS))
    lines += ["", *(f"{name}: {UNITS[name]}." for name in units)] if units else []
    return [*lines, ""]


def _usage_sample_line(capabilities: frozenset[Capability]) -> str:
    """The card's sampling example; a conditional model is given one label per sample (every class in turn),
    since some conditional models (a cGAN, a CVAE) cannot sample without labels."""
    condition = "condition=model.balanced_condition(16), " if Capability.CONDITIONAL in capabilities else ""
    return f"x = model.sample(16, {condition}generator=torch.Generator().manual_seed(0))"


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
        *([_usage_sample_line(capabilities)] if Capability.SAMPLE in capabilities else []),
        "```",
        "",
        f"Architecture `{config.architecture}` from `{config.plugin.name}` {config.plugin.version}.",
        "",
    ]
    if config.sampling is not None:
        options = ", ".join(f"{key}={value}" for key, value in config.sampling.options.items())
        lines += ["## Sampling", "", f"`model.sample` uses `{config.sampling.sampler}`"
                  + (f" with {options}" if options else "") + " when the caller names no sampler; each metric "
                  "below names the setting it was measured with.", ""]
    if card.metrics:
        lines += _metrics_table(card.metrics)
    if card.recipe:
        lines += ["## Recipe", "", f"    {card.recipe.command}", ""]
        extra = ", ".join(x for x in (card.recipe.duration, card.recipe.hardware) if x)
        if extra:
            lines += [f"Took {extra}.", ""]
    lines += ["## Config", "", "```json", config.model_dump_json(indent=2, include={"config", "data_spec"}), "```", ""]
    lines += ["## Files", "", "| file | sha256 |", "|---|---|"]
    lines += [f"| {name} | `{digest}` |" for name, digest in sorted(checksums.items())]
    return "\n".join(lines) + "\n"
