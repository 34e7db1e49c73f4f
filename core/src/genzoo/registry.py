"""The registry: every spec that the loaded plugins contribute, looked up by name.

Models (architectures and pretrained checkpoints) share one namespace, so `genzoo.load("x")` and
`genzoo list` are never ambiguous. When two plugins register the same name the registry keeps
neither: using the name is an error that names both plugins, while every other name works.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterable
from typing import TypeVar

from genzoo.capabilities import Capability
from genzoo.errors import CapabilityError, DuplicateNameError, UnknownNameError
from genzoo.plugins import PluginStatus, load_plugins
from genzoo.specs import (
    ArchitectureSpec,
    CommandSpec,
    DatasetSpec,
    MetricSpec,
    PretrainedSpec,
    SamplerSpec,
    _Spec,
)

S = TypeVar("S", bound=_Spec)


class _Table(dict):
    """Specs of one kind by name, remembering names that several plugins claimed."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind
        self.conflicts: dict[str, list[_Spec]] = {}

    def add(self, spec: _Spec) -> None:
        if spec.name in self.conflicts:
            self.conflicts[spec.name].append(spec)
        elif spec.name in self:
            self.conflicts[spec.name] = [self.pop(spec.name), spec]
        else:
            self[spec.name] = spec

    def get_spec(self, name: str, hint: str = ""):
        if name in self.conflicts:
            raise DuplicateNameError(_conflict_message(self.kind, name, self.conflicts[name]))
        if name not in self:
            raise UnknownNameError(self.kind, name, list(self) + list(self.conflicts), hint)
        return self[name]


def _conflict_message(kind: str, name: str, specs: Iterable[_Spec]) -> str:
    owners = " and ".join(f"{s.plugin!r} ({s.distribution or 'no distribution'})" for s in specs)
    return f"{kind} name {name!r} is registered by both {owners}; uninstall one or disable it with GENZOO_PLUGINS"


class Registry:
    """All specs from all loaded plugins, plus the plugin statuses for `plugins`/`doctor`."""

    def __init__(self, statuses: list[PluginStatus]):
        self.statuses = statuses
        self.models = _Table("model")  # architectures and pretrained checkpoints together
        self.samplers = _Table("sampler")
        self.datasets = _Table("dataset")
        self.metrics = _Table("metric")
        self.commands = _Table("command")
        tables = {
            "genzoo_architectures": self.models,
            "genzoo_pretrained": self.models,
            "genzoo_samplers": self.samplers,
            "genzoo_datasets": self.datasets,
            "genzoo_metrics": self.metrics,
            "genzoo_commands": self.commands,
        }
        for status in statuses:
            for hook_name, specs in status.specs.items():
                for spec in specs:
                    tables[hook_name].add(spec)

    # -- lookups ---------------------------------------------------------------------------
    def model(self, name: str) -> ArchitectureSpec | PretrainedSpec:
        return self.models.get_spec(name)

    def architecture(self, name: str) -> ArchitectureSpec:
        spec = self.models.get_spec(name)
        if not isinstance(spec, ArchitectureSpec):
            raise UnknownNameError("architecture", name, self.architectures(), f"{name!r} is a pretrained model")
        return spec

    def architectures(self) -> list[str]:
        return [n for n, s in self.models.items() if isinstance(s, ArchitectureSpec)]

    def architecture_of(self, spec: ArchitectureSpec | PretrainedSpec) -> ArchitectureSpec:
        return spec if isinstance(spec, ArchitectureSpec) else self.architecture(spec.architecture)

    def architecture_for_class(self, cls: type) -> ArchitectureSpec | None:
        """The spec whose import path names `cls`, when exactly one does (models built by hand)."""
        path = f"{cls.__module__}:{cls.__qualname__}"
        found = [s for s in self.models.values() if isinstance(s, ArchitectureSpec) and s.model == path]
        return found[0] if len(found) == 1 else None

    def sampler(self, name: str) -> SamplerSpec:
        return self.samplers.get_spec(name)

    def dataset(self, name: str) -> DatasetSpec:
        return self.datasets.get_spec(name)

    def metric(self, name: str) -> MetricSpec:
        return self.metrics.get_spec(name)

    def command(self, name: str) -> CommandSpec:
        return self.commands.get_spec(name)

    def conflicts(self) -> list[str]:
        tables = (self.models, self.samplers, self.datasets, self.metrics, self.commands)
        return [_conflict_message(t.kind, n, specs) for t in tables for n, specs in t.conflicts.items()]

    def samplers_for(self, spec: ArchitectureSpec) -> list[str]:
        """Names of the registered samplers that can run on the architecture: their required capabilities
        and the model methods they call are all declared in its spec (so no model code is imported)."""
        return sorted(n for n, s in self.samplers.items() if s.fits(spec.capabilities, spec.methods))

    # -- listing ---------------------------------------------------------------------------
    def list_models(
        self,
        pattern: str = "*",
        family: str | None = None,
        pretrained: bool | None = None,
        capability: str | Capability | None = None,
    ) -> list[str]:
        if capability is not None:
            try:
                capability = Capability(capability)
            except ValueError:
                raise UnknownNameError("capability", str(capability), [c.value for c in Capability]) from None
        names = []
        for name, spec in self.models.items():
            if not fnmatch.fnmatchcase(name, pattern):
                continue
            is_pretrained = isinstance(spec, PretrainedSpec)
            if pretrained is not None and is_pretrained != pretrained:
                continue
            arch = self.models.get(spec.architecture) if is_pretrained else spec
            if not isinstance(arch, ArchitectureSpec):
                continue  # a pretrained card whose architecture is missing or contested
            if family is not None and arch.family != family:
                continue
            if capability is not None and capability not in arch.capabilities:
                continue
            names.append(name)
        return sorted(names)

    def families(self) -> list[str]:
        return sorted({s.family for s in self.models.values() if isinstance(s, ArchitectureSpec)})


def require_capability(spec: ArchitectureSpec, capability: Capability, what: str) -> None:
    if capability not in spec.capabilities:
        raise CapabilityError(f"{spec.name!r} cannot {what}: it lacks the {capability.value!r} capability")


@functools.lru_cache(maxsize=1)
def get_registry() -> Registry:
    """The process-wide registry, built on first use."""
    _manager, statuses = load_plugins()
    return Registry(statuses)


def reset_registry() -> None:
    """Forget the loaded plugins (after installing one, or changing GENZOO_PLUGINS in tests)."""
    get_registry.cache_clear()
