"""The conformance kit on the transformers (tiny configs: 8 binary pixels, 6 characters of a 3-letter
vocabulary, so the kit sums every configuration of their exact likelihoods)."""

from genzoo.testing import ConformanceSuite


class TestTransformerConformance(ConformanceSuite):
    architectures = ("transformer", "charlm")
