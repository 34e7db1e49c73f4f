"""Training: one loop for every family.

A family makes an architecture trainable by naming, in `ArchitectureSpec.trainers`, subclasses of
`TrainingStep` (gradient training: return the loss) or `FitStep` (EM, closed form, ...):

    class NLLStep(TrainingStep):
        def loss(self, model, batch, group, state):
            return {"loss": -model.log_prob(batch.x).mean()}

and core trains it, from Python or the CLI (`genzoo train ARCH [--trainer NAME] --data NAME --out DIR`):

    from genzoo.training import TrainConfig, train
    train("gaussian", data="toy2d", out="runs/g", train=TrainConfig(steps=500, lr=1e-2))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genzoo.training.config import GroupConfig, TrainConfig
from genzoo.training.errors import TrainingDiverged, TrainingInterrupted
from genzoo.training.run_config import RunConfig
from genzoo.training.steps import Batch, FitData, FitStep, StepState, TrainingStep
from genzoo.training.trainer import TrainResult, run


def train(architecture: str, *, data: str, out: str | Path, model: dict[str, Any] | None = None,
          train: TrainConfig | dict[str, Any] | None = None, data_options: dict[str, Any] | None = None,
          step: dict[str, Any] | None = None, trainer: str | None = None, resume: bool = False,
          progress: bool = True) -> TrainResult:
    """Train `architecture` with its `trainer` (default: its first) on the registered dataset `data`;
    the checkpoint lands in `out`."""
    if isinstance(train, dict):
        train = TrainConfig.validated(train)
    config = RunConfig(architecture=architecture, dataset=data, trainer=trainer, model=model or {},
                       train=train or TrainConfig(), data=data_options or {}, step=step or {})
    return run(config, out, resume=resume, progress=progress)


__all__ = [
    "Batch",
    "FitData",
    "FitStep",
    "GroupConfig",
    "RunConfig",
    "StepState",
    "TrainConfig",
    "TrainResult",
    "TrainingDiverged",
    "TrainingInterrupted",
    "TrainingStep",
    "run",
    "train",
]
