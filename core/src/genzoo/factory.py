"""Build a model from an architecture spec and config values."""

from __future__ import annotations

from typing import Any

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
