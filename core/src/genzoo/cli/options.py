"""Parsing of repeated `--set key=value` options."""

from __future__ import annotations

import json
from typing import Any

import click


def parse_assignments(pairs: tuple[str, ...]) -> dict[str, Any]:
    """Turn ("steps=50", "eta=0.0", "name=x") into a dict; values are JSON when they parse as JSON."""
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {pair!r}", param_hint="--set")
        try:
            values[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[key.strip()] = raw
    return values
