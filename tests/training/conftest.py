"""Fixtures for the training tests: the real plugins plus the fake `training_toys` and `two_player` families."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import genzoo
from genzoo import plugins

PLUGINS = Path(__file__).parent / "plugins"


def toys_entry_points() -> list[EntryPoint]:
    return [EntryPoint(name="training-toys", value="training_toys", group="genzoo"),
            EntryPoint(name="two-player", value="two_player", group="genzoo")]


@pytest.fixture(autouse=True)
def training_toys(monkeypatch):
    """Register the fake families beside the installed plugins; reset their triggers."""
    monkeypatch.syspath_prepend(str(PLUGINS))
    real = plugins._entry_points
    monkeypatch.setattr(plugins, "_entry_points", lambda: [*real(), *toys_entry_points()])
    genzoo.reset_registry()
    import training_toys
    import two_player

    training_toys.TRIGGERS.clear()
    two_player.TRIGGERS.clear()
    yield training_toys
    genzoo.reset_registry()


@pytest.fixture
def two_player():
    import two_player

    return two_player


@pytest.fixture
def tiny():
    """Make a train config for runs of a second or less."""

    def settings(**overrides) -> dict:
        return {"steps": 12, "batch_size": 16, "lr": 0.05, "log_every": 2, "checkpoint_every": 4,
                "sample_every": 6, "num_samples": 8, "device": "cpu", **overrides}

    return settings
