"""The conditional GANs of the family (filled in by their own change)."""

from genzoo import ArchitectureSpec, CommandSpec, MetricSpec, SamplerSpec

ARCHITECTURES: list[ArchitectureSpec] = []
SAMPLERS: list[SamplerSpec] = []
METRICS: list[MetricSpec] = []
COMMANDS: list[CommandSpec] = []
