"""The kit pointed at each faulty family (mistake 4: a family name nothing registers).

Not named test_*.py: the install test runs it explicitly, outside the repository's own pytest run.
"""

from genzoo.testing import ConformanceSuite


class TestFlow(ConformanceSuite):
    family = "faulty-flow"


class TestPaths(ConformanceSuite):
    family = "faulty-paths"


class TestNothing(ConformanceSuite):
    family = "faulty-nothing"
