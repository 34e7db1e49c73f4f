"""Option types shared by commands (seeds, sample counts) and parsing of repeated `--set key=value` options."""

from __future__ import annotations

import json
from typing import Any

import click

# torch.Generator.manual_seed takes an unsigned 64-bit seed; a bigger one is a usage error, not an overflow.
SEED = click.IntRange(0, 2**64 - 1)

# One command draws at most this many samples: a typo such as -n 1000000000 is refused up front instead of
# asking the allocator for hundreds of gigabytes (draw more with several runs and different --seed values).
MAX_SAMPLES = 1_000_000
SAMPLE_COUNT = click.IntRange(1, MAX_SAMPLES)


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
