"""The frozen plugin API: `genzoo` and `genzoo.plugin`, and nothing else, is what families import."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import genzoo
import genzoo.plugin


def test_every_name_in_the_plugin_api_resolves():
    for name in genzoo.plugin.__all__:
        assert getattr(genzoo.plugin, name) is not None, name


def test_the_distributions_are_re_exported_name_by_name():
    import genzoo.distributions

    assert set(genzoo.distributions.__all__) <= set(genzoo.plugin.__all__)
    assert genzoo.plugin.normal_kl is genzoo.distributions.normal_kl
    assert genzoo.plugin.distributions is genzoo.distributions


def test_importing_the_plugin_api_does_not_import_torch():
    code = "import sys, genzoo.plugin; from genzoo.plugin import Capability; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_name_outside_the_api_is_an_error_that_says_where_to_look():
    with pytest.raises(AttributeError, match="genzoo.plugin.__all__"):
        genzoo.plugin.build_model  # noqa: B018


FIRST_PARTY_SOURCES = sorted((Path(__file__).resolve().parents[2] / "plugins").glob("*/src/**/*.py"))
ALLOWED = {"genzoo", "genzoo.plugin"}


def _genzoo_imports(path: Path) -> list[str]:
    """`module (line N)` for every import of a genzoo module other than the plugin API."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        found += [f"{module} (line {node.lineno})" for module in modules
                  if (module == "genzoo" or module.startswith("genzoo.")) and module not in ALLOWED]
    return found


def test_first_party_plugins_import_only_the_plugin_api():
    assert len(FIRST_PARTY_SOURCES) > 20  # the four families were found
    offenders = {str(path.relative_to(path.parents[3])): imports
                 for path in FIRST_PARTY_SOURCES if (imports := _genzoo_imports(path))}
    assert not offenders, (
        "first-party plugins may import only `genzoo` and `genzoo.plugin` (add what they need to genzoo.plugin "
        f"and CONTRIBUTING's list): {offenders}"
    )


def test_the_import_check_catches_a_private_import(tmp_path):
    source = tmp_path / "family.py"
    source.write_text("import genzoo\nfrom genzoo.plugin import Batch\nfrom genzoo.training.steps import Batch\n"
                      "import genzoo.errors\nfrom . import sibling\n")
    assert _genzoo_imports(source) == ["genzoo.training.steps (line 3)", "genzoo.errors (line 4)"]
