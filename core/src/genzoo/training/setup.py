"""Turning a RunConfig into live objects: the dataset, the model on its device and the family's step."""

from __future__ import annotations

from genzoo.dataspec import DataSpec
from genzoo.errors import ConfigError, GenzooError
from genzoo.specs import ArchitectureSpec, load_object
from genzoo.training.steps import FitStep, TrainingStep


def load_step(spec: ArchitectureSpec, options: dict) -> TrainingStep | FitStep:
    """The architecture's trainer class, validated with the run's [step] options."""
    from pydantic import ValidationError

    from genzoo.errors import pydantic_message

    if spec.trainer is None:
        raise GenzooError(f"architecture {spec.name!r} has no trainer; its plugin does not support `genzoo train`")
    try:
        cls = load_object(spec.trainer)
    except (ImportError, AttributeError) as error:
        raise GenzooError(f"architecture {spec.name!r}: cannot import trainer {spec.trainer} ({error})") from None
    if not (isinstance(cls, type) and issubclass(cls, (TrainingStep, FitStep))):
        raise GenzooError(f"architecture {spec.name!r}: {spec.trainer} is not a genzoo TrainingStep or FitStep")
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
