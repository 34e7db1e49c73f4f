"""The frozen plugin API: `genzoo` and `genzoo.plugin`, and nothing else, is what families import."""

import subprocess
import sys

import pytest

import genzoo
import genzoo.plugin


def test_every_name_in_the_plugin_api_resolves():
    for name in genzoo.plugin.__all__:
        assert getattr(genzoo.plugin, name) is not None, name


def test_the_distributions_are_re_exported_name_by_name():
    import genzoo.distributions

    assert sorted(genzoo.plugin.DISTRIBUTIONS) == sorted(genzoo.distributions.__all__)
    assert genzoo.plugin.normal_kl is genzoo.distributions.normal_kl
    assert genzoo.plugin.distributions is genzoo.distributions


def test_importing_the_plugin_api_does_not_import_torch():
    code = "import sys, genzoo.plugin; from genzoo.plugin import Capability; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_name_outside_the_api_is_an_error_that_says_where_to_look():
    with pytest.raises(AttributeError, match="genzoo.plugin.__all__"):
        genzoo.plugin.build_model  # noqa: B018
