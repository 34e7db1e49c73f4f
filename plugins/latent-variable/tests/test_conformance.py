"""Run genzoo's conformance kit over every architecture of this family."""

from genzoo.testing import ConformanceSuite


class TestConformance(ConformanceSuite):
    family = "latent-variable"
