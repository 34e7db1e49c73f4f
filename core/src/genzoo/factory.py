"""Build a model from an architecture spec and config values."""

from __future__ import annotations

from typing import Any

from genzoo.capabilities import Capability
from genzoo.errors import GenzooError
from genzoo.specs import ArchitectureSpec, load_object


def model_class(spec: ArchitectureSpec) -> type:
    """Import the model class of an architecture (the first moment its code is imported)."""
    from genzoo.model import GenerativeModel

    try:
        cls = load_object(spec.model)
    except (ImportError, AttributeError) as error:
        raise GenzooError(f"architecture {spec.name!r} from {spec.plugin!r}: cannot import {spec.model} ({error})") from None
    if not (isinstance(cls, type) and issubclass(cls, GenerativeModel)):
        raise GenzooError(f"architecture {spec.name!r}: {spec.model} is not a genzoo.GenerativeModel subclass")
    return cls


def build_model(spec: ArchitectureSpec, values: dict[str, Any], *, source: str = ""):
    """Validate `values` with the architecture's config class and instantiate the model."""
    cls = model_class(spec)
    config = cls.config_class.validated(values, source=source)
    model = cls(config)
    model._spec = spec
    return model


def check_spec_matches_class(spec: ArchitectureSpec) -> list[str]:
    """What disagrees between an architecture spec and its model class, each phrased as the fix.

    The class is the truth a hand-built model uses; the spec repeats it so that listing never imports
    model code. The conformance kit and `genzoo doctor --deep` report these problems.
    """
    from genzoo.registry import get_registry

    try:
        model = build_model(spec, dict(spec.tiny_config), source=f"{spec.name} tiny_config")
    except GenzooError as error:
        return [str(error)]
    cls = type(model)  # methods are looked up on an instance: some are modules set in __init__
    where = f"ArchitectureSpec {spec.name!r}"
    declared, listed = set(cls.capabilities), set(spec.capabilities)
    problems = [
        f"{where} lists capability {c.value!r} but {cls.__name__}.capabilities does not; declare it on the class "
        f"or drop it from the spec" for c in sorted(listed - declared)
    ]
    problems += [
        f"{cls.__name__}.capabilities declares {c.value!r} but {where} does not list it; add it to the spec's "
        f"capabilities" for c in sorted(declared - listed)
    ]
    if spec.default_sampler != cls.default_sampler:
        problems.append(f"{where} has default_sampler={spec.default_sampler!r} but {cls.__name__}.default_sampler is "
                        f"{cls.default_sampler!r}; make them the same")
    problems += [f"{where} lists method {m!r} but {cls.__name__} has no method {m}(); define it or drop it from methods"
                 for m in spec.methods if not callable(getattr(model, m, None))]
    registry = get_registry()
    for name, sampler in sorted(registry.samplers.items()):
        if not set(sampler.requires) <= declared:
            continue
        unlisted = [m for m in sampler.methods if m not in spec.methods]
        if unlisted and all(callable(getattr(model, m, None)) for m in sampler.methods):
            problems.append(f"{cls.__name__} defines {', '.join(m + '()' for m in unlisted)}, which sampler {name!r} "
                            f"needs, but {where} does not list it in methods; add it so the sampler is offered")
    if Capability.SAMPLE in listed and spec.default_sampler not in registry.samplers_for(spec):
        problems.append(f"{where}: its default sampler {spec.default_sampler!r} is not among the samplers that can "
                        f"run on it ({', '.join(registry.samplers_for(spec)) or 'none'}); list the methods it calls "
                        f"in the spec's methods, or pick one of those")
    return problems
