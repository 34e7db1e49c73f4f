"""Samplers: registered strategies that draw samples from any model able to support them.

A sampler declares (in its SamplerSpec) the capabilities and model methods it needs; any model
that has them can use it, which is how a DDIM sampler works on every diffusion checkpoint and a
latent-GMM sampler on every autoencoder. Sampler options (`--set steps=50`) are validated by the
sampler's pydantic `Options`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import torch
from pydantic import BaseModel, ConfigDict, ValidationError

from genzoo.errors import CapabilityError, ConfigError, pydantic_message
from genzoo.specs import SamplerSpec, load_object

if TYPE_CHECKING:
    from genzoo.model import GenerativeModel


class NoOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Sampler:
    """Base class: subclasses set `Options` and implement `run`."""

    Options: ClassVar[type[BaseModel]] = NoOptions

    def __init__(self, spec: SamplerSpec):
        self.spec = spec

    def __call__(
        self,
        model: GenerativeModel,
        n: int,
        *,
        condition: torch.Tensor | None = None,
        generator: torch.Generator | None = None,
        **options: Any,
    ) -> torch.Tensor:
        try:
            parsed = self.Options.model_validate(options)
        except ValidationError as error:
            raise ConfigError(
                f"invalid options for sampler {self.spec.name!r}:\n" + pydantic_message(error)
            ) from None
        return self.run(model, n, condition=condition, generator=generator, options=parsed)

    def run(
        self,
        model: GenerativeModel,
        n: int,
        *,
        condition: torch.Tensor | None,
        generator: torch.Generator | None,
        options: BaseModel,
    ) -> torch.Tensor:
        raise NotImplementedError


class AncestralSampler(Sampler):
    """The model's own generative procedure: `model.generate(n, condition=, generator=)`."""

    def run(self, model, n, *, condition, generator, options):
        return model.generate(n, condition=condition, generator=generator)


def check_sampler_fits(spec: SamplerSpec, model: GenerativeModel) -> None:
    """Raise a CapabilityError naming what the model lacks for this sampler."""
    missing = [c.value for c in spec.requires if c not in model.capabilities]
    missing += [f"method {m}()" for m in spec.methods if not callable(getattr(model, m, None))]
    if missing:
        raise CapabilityError(f"sampler {spec.name!r} cannot sample {model.name!r}: it needs {', '.join(missing)}")


def get_sampler(name: str, model: GenerativeModel) -> Sampler:
    """Instantiate the registered sampler `name` after checking it fits `model`."""
    from genzoo.registry import get_registry

    spec = get_registry().sampler(name)
    check_sampler_fits(spec, model)
    return load_object(spec.target)(spec)
