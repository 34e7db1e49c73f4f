"""Run genzoo's conformance kit over every architecture of this family."""

from genzoo.testing import ConformanceSuite


class TestConformance(ConformanceSuite):
    family = "adversarial"
    allow_no_architectures = "the adversarial models arrive with the family's own issue; until then it registers none"
