"""The conformance kit on the autoregressive architectures (tiny 8-binary-element configs, so the kit sums
all 256 configurations of their exact likelihoods)."""

from genzoo.testing import ConformanceSuite


class TestAutoregressiveConformance(ConformanceSuite):
    architectures = ("nade", "made")
