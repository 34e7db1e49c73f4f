"""pytest plugin: parametrize ConformanceSuite subclasses over the registered architectures."""

from __future__ import annotations

import fnmatch


def pytest_generate_tests(metafunc):
    from genzoo.testing.conformance import ConformanceSuite

    cls = metafunc.cls
    if cls is None or not issubclass(cls, ConformanceSuite) or "architecture" not in metafunc.fixturenames:
        return
    if cls.family is None and not any(set(pattern) & set("*?[") for pattern in cls.architectures):
        names = list(cls.architectures)  # explicit names: no lookup, an unknown one fails loudly
        metafunc.parametrize("architecture", names, ids=names)
        return
    from genzoo.registry import get_registry

    registry = get_registry()
    names = [
        name
        for name in registry.architectures()
        if (cls.family is None or registry.architecture(name).family == cls.family)
        and any(fnmatch.fnmatchcase(name, pattern) for pattern in cls.architectures)
    ]
    metafunc.parametrize("architecture", names, ids=names)
