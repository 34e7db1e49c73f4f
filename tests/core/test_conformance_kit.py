"""The conformance kit itself: it fails on what it must catch, with messages that name the fix."""

import math

import pytest
import torch

import genzoo
from genzoo.testing import ConformanceSuite
from genzoo.testing.normalisation import CannotCheck, total_mass
from genzoo.testing.plugin import collection_problem


def test_normalisation_passes_a_flow_and_fails_the_flipped_log_det(plugin_env):
    plugin_env("affine_flow")
    assert total_mass(genzoo.create("affine-flow")) == [pytest.approx(1.0, abs=0.01)]
    # exp(+2 sum(s)) instead of exp(0): the mass of the flipped flow is 2^2 * 2^2 = 16
    assert total_mass(genzoo.create("affine-flow-flipped")) == [pytest.approx(16.0, rel=0.02)]


def test_kit_test_reports_the_flipped_log_det(plugin_env):
    plugin_env("affine_flow")
    suite = ConformanceSuite()
    suite.test_exact_log_prob_normalises(genzoo.create("affine-flow"))
    with pytest.raises(AssertionError, match="integrates to 16.*check the sign of log-determinants"):
        suite.test_exact_log_prob_normalises(genzoo.create("affine-flow-flipped"))


def test_discrete_data_are_summed_over_every_configuration(plugin_env):
    from genzoo import DataSpec

    plugin_env("affine_flow")
    model = genzoo.create("affine-flow")
    binary = DataSpec(shape=(3,), kind="binary", value_range=(0.0, 1.0))
    # A factorised Bernoulli(0.25) in closed form: log p sums to one over the 8 configurations.
    model.config = model.config.model_copy(update={"data": binary})
    model.log_prob = lambda x, condition=None: (x * math.log(0.25) + (1 - x) * math.log(0.75)).sum(1)
    assert total_mass(model) == [pytest.approx(1.0, abs=1e-6)]
    # Forgetting the complement: 0.25 for either value, so the 8 configurations hold 8 / 64 = 0.125.
    model.log_prob = lambda x, condition=None: torch.full((len(x),), 3 * math.log(0.25))
    assert total_mass(model) == [pytest.approx(0.125, abs=1e-6)]
    model.config = model.config.model_copy(update={"data": DataSpec(shape=(1, 28, 28), kind="binary")})
    with pytest.raises(CannotCheck, match="2\\^784 configurations"):
        total_mass(model)


def test_empty_family_is_a_failure_that_names_the_fix(plugin_env):
    plugin_env()

    class Nothing(ConformanceSuite):
        family = "no-such-family"

    problem = collection_problem(Nothing)
    assert "no architecture of family 'no-such-family' is registered" in problem
    assert "is the plugin installed" in problem and "`genzoo doctor` says" in problem
    with pytest.raises(AssertionError, match="no architecture of family"):
        Nothing().test_architectures_are_collected()


def test_family_whose_plugin_was_skipped_fails_even_with_a_reason_to_be_empty(plugin_env):
    with pytest.warns(Warning, match="broken-import"):
        plugin_env("broken_import")

    class Broken(ConformanceSuite):
        family = "broken-import"
        allow_no_architectures = "nothing yet"

    with pytest.raises(AssertionError, match="plugin 'broken-import' that provides family 'broken-import' was not "
                                             "loaded \\(failed: import failed"):
        Broken().test_architectures_are_collected()


def test_samples_of_the_wrong_dtype_are_named(plugin_env):
    from genzoo import DataSpec
    from genzoo.testing import check_samples_match_spec

    levels = DataSpec(shape=(2,), kind="discrete", dtype="int64", value_range=(0, 3), levels=4)
    check_samples_match_spec(torch.tensor([[0, 3], [1, 2]]), levels, 2)
    with pytest.raises(AssertionError, match="dtype int64.*must be int64, not torch.float32"):
        check_samples_match_spec(torch.tensor([[0.0, 3.0], [1.0, 2.0]]), levels, 2)


def test_unknown_explicit_names_fail_collection(plugin_env):
    plugin_env()

    class Missing(ConformanceSuite):
        architectures = ("gaussian", "no-such-arch")

    assert collection_problem(Missing).startswith("no architecture named no-such-arch is registered")
