"""What plugins contribute, described without importing it.

Specs are pydantic models that carry import paths ("package.module:Object") instead of objects,
so that `genzoo list`, `genzoo info` and `--help` never import torch or model code: the object
behind a path is imported on first use with `load_object`.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from genzoo.capabilities import Capability
from genzoo.dataspec import DataSpec

ImportPath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=96)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Revision = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")]
HubUrl = Annotated[str, StringConstraints(pattern=r"^https?://[^/\s]+(/\S*[^/\s])?$")]
MOVING_BRANCHES = ("main", "master")
DEFAULT_HUB = "https://huggingface.co"


def load_object(path: str) -> Any:
    """Import "package.module:Attr.attr" and return the object."""
    module_name, _, attr_path = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr_path.split("."):
        obj = getattr(obj, part)
    return obj


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    description: str = ""
    # Filled in by the plugin manager, not by the plugin: who registered this spec.
    plugin: str = ""
    distribution: str = ""


class ArchitectureSpec(_Spec):
    """A model class with its family, capabilities, default sampler and trainer."""

    family: Name
    model: ImportPath = Field(description="The GenerativeModel subclass; its `config_class` validates config.")
    capabilities: tuple[Capability, ...] = Field(
        description="The same capabilities the model class declares (checked by the kit); kept here so listing "
                    "never imports model code."
    )
    default_sampler: Name | None = Field("ancestral", description="The model class's `default_sampler`.")
    methods: tuple[str, ...] = Field(
        (), description="Model methods samplers may call, e.g. ('generate',) or ('predict', 'initial_noise', "
                        "'from_diffusion_space'): `samplers_for` lists a sampler only when these cover its `methods`."
    )
    trainers: dict[Name, ImportPath] = Field(
        default_factory=dict, description="Training recipes by name (`genzoo train ARCH --trainer NAME`), each a "
                                          "TrainingStep or FitStep subclass; the first is the default. Empty: not trainable."
    )
    tiny_config: dict[str, Any] = Field(
        default_factory=dict, description="Config overrides for a tiny, fast instance (conformance tests, scaffolds)."
    )
    paper: str = ""


class SamplingDefaults(BaseModel):
    """How a pretrained model samples when the caller says nothing: the card's measured setting.

    `GenerativeModel.sample` uses `sampler` when the caller names none (or names this same sampler);
    then `options` are the base and the caller's options override them key by key. A caller who
    names another sampler gets exactly the options they pass.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    sampler: Name
    options: dict[str, Any] = Field(default_factory=dict)


class PretrainedSpec(_Spec):
    """A named pretrained checkpoint pinned to hub coordinates."""

    architecture: Name
    hub: HubUrl = Field(DEFAULT_HUB, description="The hub that serves `repo_id` (a third-party family names its own); "
                                                 "`HF_ENDPOINT` replaces only this default.")
    repo_id: str = Field(description="Hub repo id, e.g. 'genzoo/vae-mnist'.")
    revision: Revision | None = Field(
        None, description="Pinned immutable revision: a tag the publish step created (e.g. 'v0.2.0') or a 40-hex "
                          "commit, never a branch; None only for a card not yet published (folders only).")
    files: dict[str, Sha256] = Field(description="Every file of the repo that is used, with its sha256.")
    dataset: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)
    license: str = "apache-2.0"
    recipe: str = Field("", description="The command that reproduces this checkpoint.")
    sampling: SamplingDefaults | None = Field(
        None, description="The sampler and options the card's metrics were measured with; used when the caller "
                          "names no sampler."
    )

    @field_validator("revision")
    @classmethod
    def _immutable(cls, revision: str | None) -> str | None:
        """A branch moves under the card's sha256 pins; a tag or a commit id does not."""
        if revision in MOVING_BRANCHES:
            raise ValueError(f"{revision!r} is a moving branch; pin a tag (e.g. 'v0.2.0') or a 40-hex commit")
        return revision

    @classmethod
    def from_catalog(cls, path: str | Path) -> list[PretrainedSpec]:
        """The entries of a family's catalog file (a JSON list of specs), validated.

        A family keeps its pretrained checkpoints as data beside its plugin module;
        `scripts/publish_pretrained.py` rewrites an entry from a checkpoint folder in `registry/`
        (its files' sha256 and the metrics `genzoo eval` wrote into its card), so the pins never
        drift from the published bytes by hand.
        """
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        return [cls.model_validate(entry) for entry in entries]


class SamplerSpec(_Spec):
    """A sampling strategy usable by any model with the required capabilities and methods."""

    target: ImportPath = Field(description="A genzoo.Sampler subclass.")
    requires: tuple[Capability, ...] = ()
    methods: tuple[str, ...] = Field((), description="Model methods the sampler calls, e.g. ('generate',).")
    tiny_options: dict[str, Any] = Field(
        default_factory=dict, description="Options that make a run on an architecture's tiny config fast (the kit uses them)."
    )
    dataset_option: str | None = Field(
        None, description="The option naming a dataset the sampler reads examples from (e.g. 'data' for "
                          "reconstruction); the kit passes an npz: dataset shaped like the model's data. Such samplers "
                          "take their labels from the data, so the kit passes no condition."
    )

    def fits(self, capabilities: Iterable[Capability], methods: Iterable[str]) -> bool:
        """Whether a model with these capabilities and sampler-callable methods can run this sampler."""
        return set(self.requires) <= set(capabilities) and set(self.methods) <= set(methods)


class DatasetSpec(_Spec):
    """A dataset factory: target(split=..., **options) returns a dataset with a `data_spec`.

    The optional metadata describe the dataset with its default options, so `genzoo datasets` lists
    shapes and sizes without building (or even finding) the data; a test checks them against the built
    dataset.
    """

    target: ImportPath
    fields: dict[str, DataSpec] = Field(
        default_factory=dict, description="What one example holds with default options, e.g. {'x': ..., 'label': ...}."
    )
    splits: dict[str, int] = Field(default_factory=dict, description="Examples per split with default options.")
    missing: ImportPath | None = Field(
        None, description="A callable() -> str | None saying why the data cannot be built here (files absent), "
                          "None when they can; it must be quick and must not import torch."
    )


class MetricSpec(_Spec):
    """An evaluation metric; target is a callable or class documented by the metric."""

    target: ImportPath
    draws_samples: bool = Field(
        True, description="False for a metric that never runs the model's sampler (a likelihood, a translation): "
                          "`genzoo eval` leaves --sampler and --set out of its request and its command, so a card "
                          "does not key the number by settings that cannot change it."
    )


class CommandSpec(_Spec):
    """An extra `genzoo` CLI command; target is a click.Command."""

    target: ImportPath
