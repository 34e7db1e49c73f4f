"""The conformance kit over the test family, which exercises every capability branch."""

import pytest

from genzoo.testing import ConformanceSuite


@pytest.fixture(autouse=True)
def _toy(toy_registry):
    return toy_registry


class TestToyConformance(ConformanceSuite):
    architectures = ("class-gaussian",)
