"""pytest plugin: parametrize ConformanceSuite subclasses over the registered architectures.

A suite that selects nothing is not silently empty: `collection_problem` says why (the plugin is
not installed, was skipped, or was deselected) and `test_architectures_are_collected` fails with it.
"""

from __future__ import annotations

import fnmatch


def _has_pattern(names) -> bool:
    return any(set(name) & set("*?[") for name in names)


def selected_architectures(cls) -> list[str]:
    """The architecture names a ConformanceSuite subclass runs on."""
    if cls.family is None and not _has_pattern(cls.architectures):
        return list(cls.architectures)  # explicit names: no lookup, an unknown one fails loudly
    from genzoo.registry import get_registry

    registry = get_registry()
    return [
        name
        for name in registry.architectures()
        if (cls.family is None or registry.architecture(name).family == cls.family)
        and any(fnmatch.fnmatchcase(name, pattern) for pattern in cls.architectures)
    ]


def _skipped_plugins(registry) -> list[str]:
    return [f"{s.name} ({s.distribution or 'no distribution'}): {s.state}: {s.error}"
            for s in registry.statuses if s.state in ("failed", "incompatible")]


def collection_problem(cls) -> str:
    """Why the suite would run on nothing, or on a family whose own plugin was skipped; '' when fine."""
    from genzoo.registry import get_registry

    registry = get_registry()
    patterns = ", ".join(cls.architectures)
    what = f"architecture of family {cls.family!r}" if cls.family else f"architecture matching {patterns}"
    if cls.family is not None:
        own = [s for s in registry.statuses
               if s.state in ("failed", "incompatible", "disabled")
               and (s.name == cls.family or s.distribution == f"genzoo-{cls.family}")]
        if own:
            status = own[0]
            return (f"the plugin {status.name!r} that provides family {cls.family!r} was not loaded ({status.state}"
                    f"{': ' + status.error if status.error else ''}); fix it until `genzoo doctor` says ok"
                    + (" or add it to GENZOO_PLUGINS" if status.state == "disabled" else ""))
    if not _has_pattern(cls.architectures) and cls.family is None:
        unknown = [name for name in cls.architectures if name not in registry.architectures()]
        if not unknown:
            return ""
        what = f"architecture named {', '.join(unknown)}"
    elif selected_architectures(cls):
        return ""
    skipped = _skipped_plugins(registry)
    families = ", ".join(registry.families()) or "none"
    return (f"no {what} is registered: is the plugin installed (pip install -e .) and loaded? "
            f"Registered families: {families}. `genzoo doctor` says: "
            + ("; ".join(skipped) if skipped else "every plugin loaded"))


def pytest_generate_tests(metafunc):
    from genzoo.testing.conformance import ConformanceSuite

    cls = metafunc.cls
    if cls is None or not issubclass(cls, ConformanceSuite) or "architecture" not in metafunc.fixturenames:
        return
    names = selected_architectures(cls)
    metafunc.parametrize("architecture", names, ids=names)
