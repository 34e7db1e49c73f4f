"""How a run ends when it does not reach its last step."""

from __future__ import annotations

from genzoo.errors import GenzooError


class TrainingDiverged(GenzooError):
    """The loss or the weights became NaN/inf; the last good checkpoint is left in place."""


class TrainingInterrupted(GenzooError):
    """SIGINT or SIGTERM arrived; a checkpoint was written and `--resume` continues the run."""

    exit_code = 130
