"""Import every path a spec names, so a typo is caught before anyone creates, trains or samples.

Specs carry import paths ("pkg.module:Class") so that listing stays fast; the price is that a
wrong path only shows when the object is first used. The conformance kit and `genzoo doctor
--deep` call these checks, and each problem is one line that names the spec field to fix.
"""

from __future__ import annotations

from typing import Any

from genzoo.specs import ArchitectureSpec, CommandSpec, DatasetSpec, MetricSpec, SamplerSpec, _Spec, load_object


def _imported(path: str) -> tuple[Any, str]:
    """(object, '') or (None, why it failed), never raising: a plugin's module may raise anything."""
    try:
        return load_object(path), ""
    except (Exception, SystemExit) as error:
        return None, f"{type(error).__name__}: {' '.join(str(error).split())}"


def _check_path(where: str, field: str, path: str, base: type | tuple[type, ...] | None, what: str) -> list[str]:
    obj, error = _imported(path)
    if error:
        return [f"{where}: cannot import {field}={path!r} ({error}); fix the path in the spec's {field}"]
    if base is not None and not (isinstance(obj, type) and issubclass(obj, base)):
        return [f"{where}: {field}={path!r} is {obj!r}, not {what}; point {field} at {what}"]
    return []


def import_problems(spec: _Spec) -> list[str]:
    """Import the objects a spec points at and check their kind; one line per problem."""
    if isinstance(spec, ArchitectureSpec):
        from genzoo.model import GenerativeModel
        from genzoo.training import FitStep, TrainingStep

        where = f"architecture {spec.name!r} ({spec.plugin or 'no plugin'})"
        problems = _check_path(where, "model", spec.model, GenerativeModel, "a genzoo.GenerativeModel subclass")
        for name, path in spec.trainers.items():
            problems += _check_path(where, f"trainers[{name!r}]", path, (TrainingStep, FitStep),
                                    "a TrainingStep or FitStep subclass")
        return problems
    if isinstance(spec, SamplerSpec):
        from genzoo.sampling import Sampler

        return _check_path(f"sampler {spec.name!r} ({spec.plugin})", "target", spec.target, Sampler,
                           "a genzoo.Sampler subclass")
    if isinstance(spec, CommandSpec):
        import click

        return _check_path(f"command {spec.name!r} ({spec.plugin})", "target", spec.target, None, "") + [
            f"command {spec.name!r} ({spec.plugin}): target={spec.target!r} is not a click.Command; decorate it "
            "with @click.command"
            for obj in [_imported(spec.target)[0]]
            if obj is not None and not isinstance(obj, click.Command)
        ]
    if isinstance(spec, DatasetSpec | MetricSpec):
        kind = "dataset" if isinstance(spec, DatasetSpec) else "metric"
        return _check_path(f"{kind} {spec.name!r} ({spec.plugin})", "target", spec.target, None, "")
    return []


def deep_problems(registry) -> list[tuple[str, str]]:
    """(spec, problem) for every registered spec: its import paths, and for architectures whether the
    spec agrees with its model class (capabilities, default sampler, methods)."""
    from genzoo.factory import check_spec_matches_class

    found: list[tuple[str, str]] = []
    tables = (registry.models, registry.samplers, registry.datasets, registry.metrics, registry.commands)
    for table in tables:
        for name, spec in sorted(table.items()):
            if not isinstance(spec, ArchitectureSpec | SamplerSpec | DatasetSpec | MetricSpec | CommandSpec):
                continue  # pretrained cards point at hub files, which `genzoo pull` verifies
            problems = import_problems(spec)
            if isinstance(spec, ArchitectureSpec) and not problems:
                problems = check_spec_matches_class(spec)
            found += [(f"{table.kind} {name}", problem) for problem in problems]
    return found
