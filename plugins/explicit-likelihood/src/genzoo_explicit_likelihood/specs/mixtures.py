"""The mixtures part of the family (filled in by its own change)."""

from genzoo import ArchitectureSpec, MetricSpec, SamplerSpec

ARCHITECTURES: list[ArchitectureSpec] = []
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
