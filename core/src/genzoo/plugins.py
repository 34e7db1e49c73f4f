"""Discover, load and isolate genzoo plugins.

Plugins come from the entry-point group `genzoo` (plus core's own built-ins). A plugin that fails
to import, targets another hook API version, misspells a hook, or whose hook raises is skipped
with a one-line warning and reported by `genzoo doctor`; every other plugin keeps working.
Plugin code runs quarantined: it cannot end the process (`sys.exit`), write to the stdout that
`--json` output uses, or read the CLI's arguments. `GENZOO_PLUGINS=a,b` loads only the named
plugins (core's built-ins are always loaded). The specs of unchanged plugins come from an on-disk
cache (`genzoo.spec_cache`), so a slow plugin costs its import time once, not on every command.
"""

from __future__ import annotations

import contextlib
import difflib
import inspect
import os
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Literal

import pluggy
from pydantic import ValidationError

from genzoo import hookspecs
from genzoo.spec_cache import SpecCache, cache_dir, source_fingerprint
from genzoo.specs import _Spec

BUILTIN_PLUGIN = "genzoo"
PluginState = Literal["loaded", "failed", "incompatible", "disabled"]


class PluginWarning(UserWarning):
    """A plugin was skipped; the rest of genzoo keeps working."""


@dataclass
class PluginStatus:
    """What happened to one plugin, for `genzoo plugins` and `genzoo doctor`."""

    name: str
    module: str
    distribution: str = ""
    version: str = ""
    state: PluginState = "loaded"
    error: str = ""
    specs: dict[str, list[_Spec]] = field(default_factory=dict)

    def count(self, hook: str) -> int:
        return len(self.specs.get(hook, []))


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _selected_plugins() -> set[str] | None:
    value = os.environ.get("GENZOO_PLUGINS")
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _check_api_version(module: ModuleType) -> str:
    """Return '' when the plugin targets our hook API, else what to upgrade."""
    declared = getattr(module, "genzoo_hook_api", None)
    if declared == hookspecs.HOOK_API_VERSION:
        return ""
    if declared is None:
        return f"declares no genzoo_hook_api; add `genzoo_hook_api = {hookspecs.HOOK_API_VERSION}` to the plugin"
    if isinstance(declared, int) and declared > hookspecs.HOOK_API_VERSION:
        return (
            f"targets genzoo hook API {declared} but this genzoo provides {hookspecs.HOOK_API_VERSION}: "
            "upgrade genzoo"
        )
    changes = "; ".join(
        f"API {version}: {change}"
        for version, change in sorted(hookspecs.API_CHANGES.items())
        if not isinstance(declared, int) or version > declared
    )
    return (
        f"targets genzoo hook API {declared!r} but this genzoo provides {hookspecs.HOOK_API_VERSION}: "
        f"upgrade the plugin ({changes}; see {hookspecs.MIGRATION_GUIDE})"
    )


def _hook_problems(manager: pluggy.PluginManager, module: object, plugin_name: str) -> str:
    """Name hooks that genzoo would silently never call: misspelled, or missing `@hookimpl`.

    The first half is pluggy's `check_pending()`, run per plugin so the problem is pinned on the
    plugin that has it and every bad name is reported, not just the first.
    """
    known = sorted(hookspecs.HOOK_SPEC_TYPES)
    problems = []
    for name in manager.hook.__dict__:
        caller = getattr(manager.hook, name)
        if name.startswith("_") or caller.has_spec():
            continue
        if any(impl.plugin_name == plugin_name for impl in caller.get_hookimpls()):
            guess = difflib.get_close_matches(name, known, n=1)
            fix = f"did you mean {guess[0]}?" if guess else f"the hooks are {', '.join(known)}"
            problems.append(f"unknown hook {name}() ({fix})")
    marker = f"{hookspecs.PROJECT}_impl"
    for name, function in vars(module).items():
        if (
            name.startswith("genzoo_")
            and inspect.isfunction(function)
            and function.__module__ == getattr(module, "__name__", None)
            and not hasattr(function, marker)
        ):
            problems.append(f"{name}() is not marked @genzoo.hookimpl, so genzoo never calls it: add the decorator")
    return "; ".join(problems)


@contextlib.contextmanager
def _quarantine() -> Iterator[None]:
    """Run plugin code with stdout sent to stderr and a neutral sys.argv.

    A plugin that prints on import would corrupt `genzoo list --json`; one that parses argv would
    act on the CLI's own arguments. (SystemExit is caught by the callers, like any exception.)
    """
    argv = sys.argv
    sys.argv = [argv[0] if argv else "genzoo"]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.argv = argv


def _hook_functions(manager: pluggy.PluginManager, plugin_name: str, hook_name: str) -> list:
    """The implementations of one hook that one registered plugin provides."""
    caller = getattr(manager.hook, hook_name)
    return [impl.function for impl in caller.get_hookimpls() if impl.plugin_name == plugin_name]


def _register(manager: pluggy.PluginManager, plugin: object, status: PluginStatus) -> None:
    """Register a plugin and call each of its hooks; any error skips (unregisters) the whole plugin."""
    try:
        manager.register(plugin, name=status.name)
    except Exception as error:  # pluggy rejects hookimpls whose signature does not match the spec
        status.state, status.error = "failed", f"invalid plugin: {_one_line(error)}"
        return
    problem = _hook_problems(manager, plugin, status.name)
    if problem:
        status.state, status.error = "failed", problem
        manager.unregister(name=status.name)
        return
    collected: dict[str, list[_Spec]] = {}
    for hook_name, spec_type in hookspecs.HOOK_SPEC_TYPES.items():
        try:
            items = [item for function in _hook_functions(manager, status.name, hook_name) for item in function() or []]
            specs = [spec_type.model_validate(item) if isinstance(item, dict) else item for item in items]
            bad = [item for item in specs if not isinstance(item, spec_type)]
            if bad:
                raise TypeError(f"returned {type(bad[0]).__name__}, expected {spec_type.__name__}")
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            status.state, status.error = "failed", f"{hook_name}: invalid spec ({where}: {first['msg']})"
        except (Exception, SystemExit) as error:  # a plugin bug (even sys.exit) must not take genzoo down
            status.state, status.error = "failed", f"{hook_name} raised {_one_line(error)}"
        if status.state == "failed":
            manager.unregister(name=status.name)
            return
        collected[hook_name] = [
            spec.model_copy(update={"plugin": status.name, "distribution": status.distribution}) for spec in specs
        ]
    status.specs = collected


def _entry_points() -> list[metadata.EntryPoint]:
    seen: dict[str, metadata.EntryPoint] = {}
    for entry_point in metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP):
        seen.setdefault(entry_point.name, entry_point)  # the same dist found twice on sys.path
    return sorted(seen.values(), key=lambda ep: ep.name)


def load_plugins() -> tuple[pluggy.PluginManager, list[PluginStatus]]:
    """Load core's built-ins and every selected entry-point plugin, isolating failures.

    The manager holds only the plugins imported in this call: a plugin whose specs came from the
    cache is not imported (nothing calls hooks after loading; specs carry import paths).
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    statuses: list[PluginStatus] = []

    from genzoo import builtins

    core = PluginStatus(BUILTIN_PLUGIN, builtins.__name__, "genzoo", _genzoo_version())
    _register(manager, builtins, core)
    statuses.append(core)

    cache = SpecCache(cache_dir())
    selected = _selected_plugins()
    for entry_point in _entry_points():
        dist = entry_point.dist
        status = PluginStatus(
            name=entry_point.name,
            module=entry_point.value,
            distribution=dist.metadata["Name"] if dist else "",
            version=dist.version if dist else "",
        )
        statuses.append(status)
        if selected is not None and entry_point.name not in selected:
            status.state = "disabled"
            continue
        _load_one(manager, entry_point, status, cache)
        if status.state in ("failed", "incompatible"):
            warnings.warn(
                f"plugin {status.name!r} skipped: {status.error} (see `genzoo doctor`)", PluginWarning, stacklevel=2
            )
    cache.save()
    return manager, statuses


def _load_one(manager: pluggy.PluginManager, entry_point: metadata.EntryPoint, status: PluginStatus,
              cache: SpecCache) -> None:
    """Fill `status` from the cache when the plugin is unchanged, else import and register it."""
    fingerprint = source_fingerprint(entry_point.value.partition(":")[0]) if cache.path else None
    key = [entry_point.value, status.distribution, status.version, fingerprint or ""]
    cached = cache.get(status.name, key) if fingerprint else None
    if cached is not None:
        try:
            status.specs = {
                hook: [hookspecs.HOOK_SPEC_TYPES[hook].model_validate(item) for item in items]
                for hook, items in cached["specs"].items()
            }
            status.state, status.error = cached["state"], cached["error"]
            return
        except (ValueError, KeyError, TypeError, AttributeError):  # a damaged entry: import the plugin instead
            status.specs = {}
    with _quarantine():
        try:
            module = entry_point.load()
        except (Exception, SystemExit) as error:  # includes SyntaxError and sys.exit in the plugin's own code
            status.state, status.error = "failed", f"import failed: {_one_line(error)}"
            return
        problem = _check_api_version(module)
        if problem:
            status.state, status.error = "incompatible", problem
        else:
            _register(manager, module, status)
    if fingerprint and status.state in ("loaded", "incompatible"):
        specs = {hook: [spec.model_dump(mode="json") for spec in items] for hook, items in status.specs.items()}
        cache.put(status.name, key, status.state, status.error, specs)


def _genzoo_version() -> str:
    from genzoo import __version__

    return __version__
