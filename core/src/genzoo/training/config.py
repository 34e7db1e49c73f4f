"""TrainConfig: the knobs of the training loop that every family shares.

Family-specific options (n_critic, a KL weight schedule, ...) live on the family's step class;
model hyperparameters live on the model config. Unknown keys are rejected, so a typo in
`--set train.lr=...` or a TOML file is an error instead of a silently ignored setting.

A step with several parameter groups (generator, discriminator, ...) gives each its own
optimizer; `train.groups.NAME` overrides any optimizer setting for one of them
(`--set train.groups.discriminator.lr=4e-4`). What a group finally gets, most specific first:
`train.groups.NAME`, then the step's `group_defaults[NAME]`, then the top-level `train.*` value.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from genzoo.errors import ConfigError, pydantic_message


OptimizerName = Literal["adam", "adamw", "sgd"]
ScheduleName = Literal["constant", "cosine", "linear"]


class GroupConfig(BaseModel):
    """Overrides for one parameter group's optimizer; None keeps the step's default or the top-level value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    optimizer: OptimizerName | None = None
    lr: float | None = Field(None, gt=0)
    betas: tuple[float, float] | None = None
    weight_decay: float | None = Field(None, ge=0)
    momentum: float | None = Field(None, ge=0, lt=1)
    schedule: ScheduleName | None = None
    warmup_steps: int | None = Field(None, ge=0)
    grad_clip: float | None = Field(None, gt=0)
    ema: bool | None = Field(None, description="Average this group's parameters when ema_decay is set (default true).")


class TrainConfig(BaseModel):
    """Optimizer, schedule, regularisation, seeding and output cadence of one run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: int = Field(1000, ge=1, description="Training steps (one call of the step's `updates` each).")
    batch_size: int = Field(128, ge=1, description="Global batch size, split evenly across processes.")
    lr: float = Field(1e-3, gt=0)
    optimizer: OptimizerName = "adam"
    weight_decay: float = Field(0.0, ge=0)
    betas: tuple[float, float] = (0.9, 0.999)
    momentum: float = Field(0.0, ge=0, lt=1, description="SGD momentum.")
    schedule: ScheduleName = Field(
        "constant", description="Learning-rate shape after warmup: constant, cosine or linear decay to 0."
    )
    warmup_steps: int = Field(0, ge=0, description="Linear warmup from 0 to lr over this many steps.")
    grad_clip: float | None = Field(None, gt=0, description="Clip the global gradient norm to this value.")
    ema_decay: float | None = Field(None, gt=0, lt=1, description="Keep an EMA of the weights; None = off.")
    groups: dict[str, GroupConfig] = Field(
        default_factory=dict, description="Per-group optimizer overrides: train.groups.NAME.lr=..."
    )
    seed: int = 0
    log_every: int = Field(10, ge=1)
    checkpoint_every: int = Field(1000, ge=1)
    sample_every: int | None = Field(1000, ge=1, description="Steps between sample grids; None = never.")
    num_samples: int = Field(64, ge=1, description="Examples per sample grid.")
    num_workers: int = Field(0, ge=0, description="DataLoader worker processes.")
    device: str = Field("auto", description="'auto' (cuda when available), 'cpu', 'cuda', 'cuda:1', ...")

    @model_validator(mode="after")
    def _warmup_fits(self) -> TrainConfig:
        if self.warmup_steps >= self.steps and self.warmup_steps > 0:
            raise ValueError(f"warmup_steps ({self.warmup_steps}) must be below steps ({self.steps})")
        return self

    @classmethod
    def validated(cls, values: dict[str, Any], *, source: str = "train") -> TrainConfig:
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise ConfigError(f"invalid train config: {pydantic_message(error, f'{source}.').replace(chr(10), '; ')}") from None


def group_settings(config: TrainConfig, step_class: type, group: str) -> tuple[TrainConfig, bool]:
    """The settings `group`'s optimizer, schedule and clipping run with, and whether the EMA averages it."""
    defaults = dict(step_class.group_defaults.get(group, {}))
    given = config.groups[group].model_dump(exclude_none=True) if group in config.groups else {}
    chosen = defaults | given
    averaged = chosen.pop("ema", True)
    values = config.model_dump(exclude={"groups"}) | chosen
    return TrainConfig.validated(values, source=f"train.groups.{group}"), averaged
