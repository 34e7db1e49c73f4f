"""ModelConfig: the base of every architecture's hyperparameter model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from genzoo.dataspec import DataSpec
from genzoo.errors import ConfigError, pydantic_message


class ModelConfig(BaseModel):
    """Hyperparameters of one architecture plus the DataSpec of the data it models.

    Subclasses add typed fields with defaults and give `data` a sensible default, so that
    `genzoo.create("vae")` works and `genzoo.create("vae", latent_dim=32)` is validated.
    Unknown fields are rejected, so a typo in `--set` is an error, not a silent no-op.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    data: DataSpec

    @classmethod
    def validated(cls, values: dict[str, Any], *, source: str = "") -> ModelConfig:
        """Validate, turning pydantic's error into a ConfigError with one line per field."""
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            prefix = f"{source}: " if source else ""
            raise ConfigError(f"invalid {cls.__name__}:\n" + pydantic_message(error, prefix)) from None

    def hyperparameters(self) -> dict[str, Any]:
        """The config without its DataSpec (which checkpoints record separately)."""
        return self.model_dump(mode="json", exclude={"data"})
