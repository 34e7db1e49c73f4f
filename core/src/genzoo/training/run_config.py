"""RunConfig: everything that defines a training run, from Python, a TOML file or `--set`.

    [model]  model config overrides        (--set model.latent_dim=16)
    [train]  TrainConfig                   (--set train.lr=1e-3, or bare: --set lr=1e-3)
    [data]   options of the dataset        (--set data.binarize=true)
    [step]   options of the family's step  (--set step.n_critic=5)

The resolved RunConfig is saved with the run, so `--resume` continues exactly what was started.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from genzoo.errors import ConfigError, pydantic_message
from genzoo.training.config import TrainConfig

SECTIONS = ("model", "train", "data", "step")
# Settings that may change when a run is resumed: they do not alter what is computed.
RESUMABLE_CHANGES = {"steps", "log_every", "checkpoint_every", "sample_every", "num_samples", "num_workers", "device"}


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    architecture: str
    dataset: str
    trainer: str | None = Field(None, description="One of the architecture's trainers; None = its first.")
    model: dict[str, Any] = Field(default_factory=dict)
    train: TrainConfig = Field(default_factory=TrainConfig)
    data: dict[str, Any] = Field(default_factory=dict)
    step: dict[str, Any] = Field(default_factory=dict)
    init: str | None = Field(None, description="Fine-tuning: start from this checkpoint's weights (a pretrained "
                             "name, checkpoint folder or hf:// repo of the same architecture) instead of a "
                             "random initialisation.")

    def differences(self, other: RunConfig) -> list[str]:
        """Keys whose change would make `other` a different run than this one."""
        mine, theirs = self.model_dump(mode="json"), other.model_dump(mode="json")
        changed = [k for k in ("architecture", "dataset", "trainer", "model", "data", "step", "init") if mine[k] != theirs[k]]
        changed += [f"train.{k}" for k in mine["train"] if mine["train"][k] != theirs["train"][k] and k not in RESUMABLE_CHANGES]
        return changed


def read_toml(path: str | Path) -> dict[str, dict[str, Any]]:
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a TOML file (not UTF-8 text)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from None
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown or not all(isinstance(document[s], dict) for s in document):
        raise ConfigError(f"{path}: only the tables [{'], ['.join(SECTIONS)}] are allowed, found {unknown or list(document)}")
    return document


def apply_assignments(sections: dict[str, dict[str, Any]], assignments: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Merge `section.key=value` assignments (bare keys go to train) into a copy of `sections`.

    Dotted keys reach into tables: `train.groups.critic.lr=4e-4` sets lr in train's groups.critic.
    """
    merged = {name: copy.deepcopy(dict(sections.get(name, {}))) for name in SECTIONS}
    for key, value in assignments.items():
        section, dot, field = key.partition(".")
        if not dot:
            section, field = "train", key
        path = field.split(".")
        if section not in SECTIONS or not all(path):
            raise ConfigError(f"--set {key}: the key must be FIELD or one of {', '.join(s + '.FIELD' for s in SECTIONS)}")
        table = merged[section]
        for part in path[:-1]:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise ConfigError(f"--set {key}: {part!r} is a value, not a table")
        table[path[-1]] = value
    return merged


def build_run_config(architecture: str, dataset: str, sections: dict[str, dict[str, Any]],
                     trainer: str | None = None, init: str | None = None) -> RunConfig:
    try:
        return RunConfig(architecture=architecture, dataset=dataset, trainer=trainer, init=init, **sections)
    except ValidationError as error:
        raise ConfigError("invalid run config: " + pydantic_message(error).replace("\n", "; ")) from None
