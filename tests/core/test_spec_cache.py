"""The plugin spec cache: unchanged plugins are not imported again; changes and damage are noticed."""

import sys
import warnings

import pytest

import genzoo
from genzoo.plugins import PluginWarning
from genzoo.spec_cache import CACHE_FILE, cache_dir


@pytest.fixture
def cached_env(plugin_env, monkeypatch, tmp_path):
    """plugin_env with a fresh cache dir and a fake plugin package written under tmp_path."""
    monkeypatch.setenv("GENZOO_CACHE", str(tmp_path / "cache"))
    package = tmp_path / "site" / "counted_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))

    def write_plugin(description: str):
        (package / "plugin.py").write_text(
            "from genzoo import DatasetSpec, hookimpl\n"
            "import os\n"
            "genzoo_hook_api = 2\n"
            "with open(os.environ['IMPORT_LOG'], 'a') as log:\n"
            "    log.write('imported\\n')\n"
            "@hookimpl\n"
            "def genzoo_datasets():\n"
            f"    return [DatasetSpec(name='counted', target='genzoo.data.toy2d:moons', description={description!r})]\n"
        )
        sys.modules.pop("counted_plugin.plugin", None)
        sys.modules.pop("counted_plugin", None)

    log = tmp_path / "imports.log"
    monkeypatch.setenv("IMPORT_LOG", str(log))

    from importlib.metadata import EntryPoint

    from genzoo import plugins

    real = plugins._entry_points

    def load():
        extra = [EntryPoint(name="counted", value="counted_plugin.plugin", group="genzoo")]
        monkeypatch.setattr(plugins, "_entry_points", lambda: real() + extra)
        genzoo.reset_registry()
        registry = genzoo.get_registry()
        sys.modules.pop("counted_plugin.plugin", None)  # a new process would have to import it again
        return registry

    def imports() -> int:
        return len(log.read_text().splitlines()) if log.exists() else 0

    return write_plugin, load, imports, tmp_path / "cache" / CACHE_FILE


def test_unchanged_plugin_is_read_from_the_cache(cached_env):
    write_plugin, load, imports, _ = cached_env
    write_plugin("first")
    first = load()
    second = load()
    assert imports() == 1
    assert first.dataset("counted") == second.dataset("counted")
    assert second.dataset("counted").plugin == "counted"
    assert first.models.keys() == second.models.keys()  # the real families come back from the cache too


def test_editing_the_plugin_invalidates_its_entry(cached_env):
    write_plugin, load, imports, _ = cached_env
    write_plugin("first")
    load()
    write_plugin("second")
    assert load().dataset("counted").description == "second"
    assert imports() == 2


def test_damaged_cache_is_ignored_and_rewritten(cached_env):
    write_plugin, load, imports, cache_file = cached_env
    write_plugin("first")
    load()
    cache_file.write_text("{not json")
    assert load().dataset("counted").description == "first"
    assert imports() == 2
    load()
    assert imports() == 2  # rewritten whole, so the third load is a hit again


def test_failed_plugins_are_retried_not_cached(plugin_env, monkeypatch, tmp_path):
    monkeypatch.setenv("GENZOO_CACHE", str(tmp_path / "cache"))
    for _ in range(2):
        with pytest.warns(PluginWarning, match="broken-import"):
            plugin_env("broken_import")


def test_cache_can_be_switched_off(monkeypatch, tmp_path):
    monkeypatch.setenv("GENZOO_CACHE", "off")
    assert cache_dir() is None
    monkeypatch.delenv("GENZOO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "genzoo"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        monkeypatch.setenv("GENZOO_CACHE", "off")
        genzoo.reset_registry()
        assert "gaussian" in genzoo.get_registry().list_models()
        genzoo.reset_registry()
