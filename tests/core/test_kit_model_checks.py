"""The kit's checks of hook API 2's model interfaces fail on what they must catch, naming the fix:
an offered sampler that breaks, a translation that ignores its generator, and bfloat16 sampling
that mixes dtypes outside autocast."""

import pytest
import torch

import genzoo
from genzoo.testing import ConformanceSuite


@pytest.fixture
def suite(plugin_env):
    plugin_env("toy_translation")
    return ConformanceSuite()


def test_an_offered_sampler_that_fails_is_named_with_the_fix(suite, tmp_path):
    model = genzoo.create("toy-shift")
    suite.test_every_listed_sampler_runs(model, tmp_path)

    def broken(n, *, condition=None, generator=None):
        raise RuntimeError("boom")

    model.generate = broken
    with pytest.raises(pytest.fail.Exception, match=r"sampler 'ancestral' is offered for toy-shift .* failed on its "
                                                    r"tiny config: RuntimeError: boom\. Fix the sampler or the model"):
        suite.test_every_listed_sampler_runs(model, tmp_path)


def test_a_translation_that_ignores_its_generator_fails(suite):
    model = genzoo.create("toy-invert")
    suite.test_translate_matches_dataspec(model)
    translate = model.translate
    model.translate = lambda x, *, generator=None: translate(x, generator=None)  # the global RNG instead
    with pytest.raises(AssertionError, match="translate must draw its randomness only from `generator`"):
        suite.test_translate_matches_dataspec(model)


def test_bfloat16_sampling_that_leaves_autocast_fails(suite):
    model = genzoo.create("toy-shift")
    suite.test_samples_in_bfloat16(model)

    def outside_autocast(n, *, condition=None, generator=None):
        with torch.autocast("cpu", enabled=False):  # float32 noise times bfloat16 weights, no autocast to mix them
            return torch.mm(torch.randn(n, 2, generator=generator), torch.diag(model.scale.expand(2)))

    model.generate = outside_autocast
    with pytest.raises(pytest.fail.Exception, match="sampling in bfloat16 failed .*no autocast\\(enabled=False\\)"):
        suite.test_samples_in_bfloat16(model)
