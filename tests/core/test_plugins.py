"""Plugin isolation: broken, raising, incompatible and deselected plugins never break the rest."""

import warnings

import pytest

import genzoo
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


@pytest.fixture(autouse=True)
def fresh_spec_cache(monkeypatch, tmp_path):
    """Every test imports its plugins for real (the cache has its own tests in test_spec_cache.py)."""
    monkeypatch.setenv("GENZOO_CACHE", str(tmp_path / "cache"))


def test_plugin_on_hook_api_1_is_told_what_changed_and_where_to_read(plugin_env):
    with pytest.warns(PluginWarning, match="upgrade the plugin"):
        registry = plugin_env("old_api")
    status = _status(registry, "old-api")
    assert status.state == "incompatible"
    assert "hook API 1 but this genzoo provides 2" in status.error
    assert "trainers={name: path}" in status.error and "Migrating from hook API 1" in status.error


def test_sys_exit_on_import_skips_the_plugin_instead_of_ending_genzoo(plugin_env):
    with pytest.warns(PluginWarning, match="exits-on-import.*import failed: SystemExit: 0"):
        registry = plugin_env("exits_on_import")
    assert _status(registry, "exits-on-import").state == "failed"
    assert "gaussian" in registry.list_models()


def test_sys_exit_in_a_hook_skips_the_plugin(plugin_env):
    with pytest.warns(PluginWarning, match="genzoo_samplers raised SystemExit: 7"):
        registry = plugin_env("exits_in_hook")
    assert _status(registry, "exits-in-hook").state == "failed"


def test_misspelled_hook_is_named_with_the_fix(plugin_env):
    with pytest.warns(PluginWarning, match="unknown hook genzoo_architecture"):
        registry = plugin_env("misspelled_hook")
    status = _status(registry, "misspelled-hook")
    assert status.state == "failed" and "did you mean genzoo_architectures?" in status.error


def test_hook_without_hookimpl_is_named_with_the_fix(plugin_env):
    with pytest.warns(PluginWarning, match="genzoo_architectures\\(\\) is not marked @genzoo.hookimpl"):
        registry = plugin_env("unmarked_hook")
    assert _status(registry, "unmarked-hook").state == "failed"
    assert "never-seen" not in registry.list_models()


def test_noisy_plugin_cannot_corrupt_json_or_read_the_cli_arguments(plugin_env, monkeypatch):
    import json

    from click.testing import CliRunner

    from genzoo.cli.main import cli

    import sys

    monkeypatch.setenv("GENZOO_CACHE", "off")  # a first run: the plugin is imported inside the command
    plugin_env("noisy")
    genzoo.reset_registry()  # load the plugins inside the command, as a real `genzoo` process does
    sys.modules.pop("noisy")
    result = CliRunner().invoke(cli, ["list", "--json"])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), list)  # the plugin's prints went to stderr
    assert "noisy plugin: hello" in result.stderr
    registry = genzoo.get_registry()
    assert _status(registry, "noisy").state == "loaded"  # argparse saw no CLI arguments
    assert "noisy-data" in registry.datasets


def test_a_plugin_exiting_does_not_decide_the_commands_exit_code(plugin_env, tmp_path):
    import numpy as np
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    registry = plugin_env("toy_family")
    model = genzoo.create("class-gaussian")
    folder = genzoo.save_pretrained(model, tmp_path / "checkpoint")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        plugin_env("toy_family", "exits_on_import", "exits_in_hook")
        genzoo.reset_registry()
        result = CliRunner().invoke(cli, ["sample", str(folder), "-n", "3", "--condition", "1", "--device", "cpu",
                                          "-o", str(tmp_path / "s.npy")])
    assert result.exit_code == 0, result.output
    assert np.load(tmp_path / "s.npy").shape == (3, 1, 4, 4)
    assert "plugin 'exits-in-hook' skipped" in result.stderr
    assert registry is not genzoo.get_registry()


def test_doctor_deep_imports_every_path_and_names_the_fix(plugin_env):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    plugin_env("affine_flow", "wrong_paths")
    shallow = CliRunner().invoke(cli, ["doctor"])
    assert "AffineFlowStep" not in shallow.output  # listing and plain doctor never import model code
    deep = CliRunner().invoke(cli, ["doctor", "--deep"])
    assert deep.exit_code == 1
    assert ("cannot import trainers['sgd']='affine_flow:AffineFlowStep' (AttributeError: module 'affine_flow' has "
            "no attribute 'AffineFlowStep'); fix the path in the spec's trainers['sgd']") in deep.output
    wrong_sampler = "sampler 'wrong-sampler' (wrong-paths): cannot import target='wrong_paths_missing_module:Sampler'"
    assert wrong_sampler in deep.output
    assert "architecture affine-flow " not in deep.output  # a correct spec raises nothing


def test_doctor_deep_checks_the_spec_against_the_class(plugin_env, monkeypatch):
    from click.testing import CliRunner

    from genzoo import Capability
    from genzoo.cli.main import cli

    plugin_env("affine_flow")
    import affine_flow

    monkeypatch.setattr(affine_flow.AffineFlow, "capabilities", frozenset({Capability.SAMPLE}))
    deep = CliRunner().invoke(cli, ["doctor", "--deep"])
    assert deep.exit_code == 1
    assert "lists capability 'log_prob' but AffineFlow.capabilities does not" in deep.output


def test_a_command_whose_module_exits_on_import_is_reported_not_obeyed(plugin_env):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    plugin_env("exiting_command")
    result = CliRunner().invoke(cli, ["bye"])
    assert result.exit_code == 2  # click's "no such command", not the plugin's exit(0)
    assert "command 'bye' (exits_on_import:command) failed to load" in result.stderr


def test_a_hub_subcommand_whose_module_exits_on_import_is_reported_not_obeyed(plugin_env):
    from click.testing import CliRunner

    from genzoo.cli.main import cli

    plugin_env("exiting_command")
    result = CliRunner().invoke(cli, ["hub", "bye"])
    assert result.exit_code == 2  # click's "no such command", not the plugin's exit(0)
    assert "command 'hub bye' (exits_on_import:command) failed to load" in result.stderr
