"""Plugin isolation: broken, raising, incompatible and deselected plugins never break the rest."""

import warnings

import pytest

from genzoo.plugins import PluginWarning


def _status(registry, name):
    return next(s for s in registry.statuses if s.name == name)


def test_plugin_that_raises_on_import_is_skipped_with_a_warning(plugin_env):
    with pytest.warns(PluginWarning, match="broken-import.*this plugin is broken on purpose"):
        registry = plugin_env("broken_import")
    status = _status(registry, "broken-import")
    assert status.state == "failed" and "RuntimeError" in status.error
    assert "gaussian" in registry.list_models()


def test_plugin_whose_hook_raises_is_skipped_whole(plugin_env):
    with pytest.warns(PluginWarning, match="hook exploded"):
        registry = plugin_env("raising_hook", "toy_family")
    assert _status(registry, "raising-hook").state == "failed"
    assert "genzoo_architectures raised ValueError: hook exploded" in _status(registry, "raising-hook").error
    assert "class-gaussian" in registry.list_models()


def test_incompatible_hook_api_says_what_to_upgrade(plugin_env):
    with pytest.warns(PluginWarning, match="upgrade genzoo"):
        registry = plugin_env("future_api")
    status = _status(registry, "future-api")
    assert status.state == "incompatible" and "hook API 99" in status.error


def test_genzoo_plugins_selects_plugins(plugin_env, monkeypatch):
    monkeypatch.setenv("GENZOO_PLUGINS", "toy-family")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        registry = plugin_env("toy_family", "broken_import")
    assert _status(registry, "broken-import").state == "disabled"
    assert _status(registry, "explicit-likelihood").state == "disabled"
    from_plugins = [n for n in registry.list_models() if registry.model(n).plugin != "genzoo"]
    assert from_plugins == ["class-gaussian", "class-gaussian-test"]
    assert "ancestral" in registry.samplers  # core's built-ins are always loaded
