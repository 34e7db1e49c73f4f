"""Turning a RunConfig into live objects (the model, the family's step, each group's optimizer
settings) and checking that the run's settings fit the step before anything is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from genzoo.dataspec import DataSpec
from genzoo.errors import ConfigError, GenzooError
from genzoo.specs import ArchitectureSpec, load_object
from genzoo.training.config import TrainConfig, group_settings
from genzoo.training.steps import FitStep, TrainingStep

if TYPE_CHECKING:
    import torch

# The train.* settings a FitStep uses; setting any other one for a fit is a mistake worth reporting.
FIT_SETTINGS = {"seed", "batch_size", "device", "num_workers", "sample_every", "num_samples"}


def trainer_name(spec: ArchitectureSpec, name: str | None) -> str:
    """`name`, or the architecture's default (first) trainer; one-line errors for none or an unknown name."""
    if not spec.trainers:
        raise GenzooError(f"architecture {spec.name!r} has no trainer; its plugin does not support `genzoo train`")
    if name is None:
        return next(iter(spec.trainers))
    if name not in spec.trainers:
        *others, last = spec.trainers
        choices = f"{', '.join(others)} or {last}" if others else last
        raise ConfigError(f"architecture {spec.name!r} has no trainer {name!r}; choose --trainer {choices}")
    return name


def load_step(spec: ArchitectureSpec, name: str, options: dict) -> TrainingStep | FitStep:
    """The trainer `name` of the architecture, validated with the run's [step] options."""
    from pydantic import ValidationError

    from genzoo.errors import pydantic_message

    path = spec.trainers[name]
    try:
        cls = load_object(path)
    except (ImportError, AttributeError) as error:
        raise GenzooError(f"architecture {spec.name!r}: cannot import trainer {name!r} ({path}: {error})") from None
    if not (isinstance(cls, type) and issubclass(cls, (TrainingStep, FitStep))):
        raise GenzooError(f"architecture {spec.name!r}: trainer {name!r} ({path}) is not a genzoo TrainingStep or FitStep")
    try:
        return cls.model_validate(options)
    except ValidationError as error:
        raise ConfigError(f"invalid step options: {pydantic_message(error, 'step.').replace(chr(10), '; ')}") from None


def model_values(overrides: dict, dataset_spec: DataSpec, dataset: str) -> dict:
    """Model config values: the run's overrides, with the dataset's DataSpec unless one is given."""
    values = dict(overrides)
    if "data" not in values:
        values["data"] = dataset_spec
        return values
    try:
        given = DataSpec.model_validate(values["data"])
    except ValueError as error:
        raise ConfigError(f"model.data: {' '.join(str(error).split())}") from None
    if given.shape != dataset_spec.shape:
        raise ConfigError(f"model.data.shape {given.shape} does not match dataset {dataset!r}, whose examples are {dataset_spec.shape}")
    return values


def load_initial_weights(model: torch.nn.Module, source: str, architecture: str) -> list[str]:
    """Fine-tuning (`genzoo train --init SOURCE`): copy the weights of the checkpoint `source` into the
    freshly built `model` and return the names of the tensors it had none for. It must be the same
    architecture, and every tensor the checkpoint has must fit one of the model's by name and shape; config
    fields that size no tensor (a dropout rate, a label-dropout rate) may differ, which is what fine-tuning
    a pretrained model with a new recipe needs. Tensors the checkpoint lacks (an optional part that the
    run's settings switch on, such as a zero-initialized head) keep their fresh initialization."""
    from genzoo.api import load

    start = load(source, device="cpu")
    if start.spec.name != architecture:
        raise ConfigError(f"--init {source}: it is a {start.spec.name!r} checkpoint; this run trains {architecture!r}")
    ours, theirs = model.state_dict(), start.state_dict()
    differing = sorted(set(theirs) - set(ours)) + sorted(k for k in set(ours) & set(theirs)
                                                         if ours[k].shape != theirs[k].shape)
    if differing:
        raise ConfigError(f"--init {source}: its weights do not fit this model ({len(differing)} tensors differ, "
                          f"first {differing[0]!r}); keep the model settings that size tensors as they were")
    fresh = sorted(set(ours) - set(theirs))
    model.load_state_dict(theirs, strict=False)
    return fresh


def check_groups(config: TrainConfig, step: TrainingStep) -> None:
    """`train.groups` (and the step's own `group_defaults`) may only name the step's parameter groups."""
    stray = sorted(set(step.group_defaults) - set(step.groups))
    if stray:
        raise GenzooError(f"{type(step).__name__}.group_defaults names {stray[0]!r}, which is not one of its groups "
                          f"({', '.join(step.groups)}); fix the step")
    unknown = sorted(set(config.groups) - set(step.groups))
    if unknown:
        raise ConfigError(f"train.groups.{unknown[0]}: {type(step).__name__} has no group {unknown[0]!r}; "
                          f"its groups are {', '.join(step.groups)}")


def group_configs(config: TrainConfig, step: TrainingStep) -> dict[str, tuple[TrainConfig, bool]]:
    """Each group's resolved settings and whether the EMA averages it (see `group_settings`)."""
    return {group: group_settings(config, type(step), group) for group in step.groups}


def ema_live_names(model: torch.nn.Module, params: dict[str, list], averaged: dict[str, bool]) -> frozenset[str]:
    """State-dict names of the parameters of groups the EMA leaves out (copied live instead)."""
    names = {id(p): name for name, p in model.named_parameters()}
    return frozenset(names[id(p)] for group, ps in params.items() if not averaged[group] for p in ps)


def check_fit_settings(config: TrainConfig, architecture: str, step: FitStep) -> None:
    """A fit has no optimizer, schedule or step count: refuse those settings instead of ignoring them."""
    defaults = TrainConfig().model_dump()
    given = config.model_dump()
    unused = [f"train.{k}" for k in given if k not in FIT_SETTINGS and given[k] != defaults[k]]
    if unused:
        raise ConfigError(f"{', '.join(unused)} not used: {architecture!r} is fitted by {step.method} "
                          f"({type(step).__name__}), not by gradient steps; set its options with "
                          f"step.max_iterations / step.tolerance")


def describe_data(name: str, dataset) -> str:
    """One line about the training data: its size and what each field of an example looks like
    (a plain torch dataset with only a `data_spec` is described by that)."""
    from genzoo.data import describe_dataset
    from genzoo.data.describe import describe_field

    if hasattr(dataset, "fields") and hasattr(dataset, "split"):
        return f"data: {describe_dataset(dataset)}"
    return f"data: {name}: {len(dataset):,} examples, {describe_field('x', dataset.data_spec)}"
