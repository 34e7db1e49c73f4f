"""The family's pretrained checkpoints: hub coordinates, file pins, metrics and recipes.

Entries are data, kept in `pretrained.json` beside this module; `scripts/publish_pretrained.py`
rewrites an entry from a checkpoint folder in `registry/` (its files' sha256 and the metrics that
`genzoo eval` wrote into its card), so the pins can never drift from the published bytes by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

from genzoo import PretrainedSpec

CATALOG = Path(__file__).with_name("pretrained.json")


def pretrained_specs() -> list[PretrainedSpec]:
    entries = json.loads(CATALOG.read_text(encoding="utf-8"))
    return [PretrainedSpec.model_validate(entry) for entry in entries]
