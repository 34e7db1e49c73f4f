"""Core's own contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from genzoo.capabilities import Capability
from genzoo.hookspecs import hookimpl
from genzoo.specs import SamplerSpec

genzoo_hook_api = 1


@hookimpl
def genzoo_samplers() -> list[SamplerSpec]:
    return [
        SamplerSpec(
            name="ancestral",
            target="genzoo.sampling:AncestralSampler",
            requires=(Capability.SAMPLE,),
            methods=("generate",),
            description="The model's own generative procedure (prior then decoder, autoregressive order, ...).",
        )
    ]
