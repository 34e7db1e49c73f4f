"""A registry with the test plugin `truth_models` (models whose right answers are known)."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import genzoo
from genzoo import plugins


@pytest.fixture
def truth_registry(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "fakes"))
    real = plugins._entry_points
    fake = EntryPoint(name="truth-models", value="truth_models", group="genzoo")
    monkeypatch.setattr(plugins, "_entry_points", lambda: [*real(), fake])
    genzoo.reset_registry()
    yield genzoo.get_registry()
    genzoo.reset_registry()
