"""Shared fixtures: plugin environments built from real entry points plus fake plugin modules."""

from __future__ import annotations

import os
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import genzoo
from genzoo import plugins

FAKE_PLUGINS = Path(__file__).parent / "fake_plugins"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


@pytest.fixture
def plugin_env(monkeypatch):
    """Call with fake plugin module names to install them beside the real plugins; returns the registry."""
    monkeypatch.syspath_prepend(str(FAKE_PLUGINS))
    real = plugins._entry_points

    def install(*modules: str, only_fake: bool = False):
        fakes = [EntryPoint(name=m.replace("_", "-"), value=m, group="genzoo") for m in modules]
        monkeypatch.setattr(plugins, "_entry_points", lambda: ([] if only_fake else real()) + fakes)
        genzoo.reset_registry()
        return genzoo.get_registry()

    yield install
    genzoo.reset_registry()


@pytest.fixture
def toy_registry(plugin_env):
    """The real plugins plus the test family `toy` (class-gaussian)."""
    return plugin_env("toy_family")
