"""The conformance kit: the checks every genzoo architecture must pass.

A family's test suite subclasses `ConformanceSuite` and names its family (or architectures);
genzoo's pytest plugin (`genzoo.testing.plugin`, loaded automatically once genzoo is installed)
parametrizes the tests over every matching registered architecture, built from its tiny config:

    from genzoo.testing import ConformanceSuite

    class TestConformance(ConformanceSuite):
        family = "latent-variable"
"""

from genzoo.testing.conformance import ConformanceSuite, check_samples_match_spec

__all__ = ["ConformanceSuite", "check_samples_match_spec"]
