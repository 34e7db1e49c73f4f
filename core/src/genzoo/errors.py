"""User-facing errors.

Every error a user can cause (a typo in a name, a bad config value, a damaged checkpoint) is a
`GenzooError`. Its message is written for a person and fits on one line, so the CLI can print it
without a traceback and exit non-zero. Anything else that escapes is a genzoo bug.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class GenzooError(Exception):
    """Base class of errors that are the user's input, not a genzoo bug."""

    exit_code = 1


class UnknownNameError(GenzooError, KeyError):
    """A model, sampler, dataset or metric name that nothing registered."""

    exit_code = 2

    def __init__(self, kind: str, name: str, known: Iterable[str], hint: str = ""):
        self.kind, self.name = kind, name
        self.suggestions = difflib.get_close_matches(name, sorted(set(known)), n=3, cutoff=0.5)
        message = f"unknown {kind} {name!r}"
        if self.suggestions:
            message += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return self.args[0]


class PluginMissingError(GenzooError):
    """A known model whose family is not installed."""

    exit_code = 2


class DuplicateNameError(GenzooError):
    """Two plugins registered the same name; the registry refuses to guess which one wins."""


class ConfigError(GenzooError, ValueError):
    """Invalid model config or CLI `--set` values."""

    exit_code = 2


class CheckpointError(GenzooError):
    """A checkpoint folder that is missing, malformed, tampered with or does not fit its model."""


class CapabilityError(GenzooError):
    """A model asked to do something (encode, log_prob, a sampler) that it does not support."""

    exit_code = 2


def pydantic_message(error, prefix: str = "") -> str:
    """Render a pydantic ValidationError as one line per field: `field: message`."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(root)"
        lines.append(f"{prefix}{where}: {item['msg']}")
    return "\n".join(lines)
