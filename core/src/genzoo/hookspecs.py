"""The pluggy hook specifications a genzoo plugin implements.

A plugin is a module registered under the entry-point group `genzoo`. It declares the hook API
version it was written against (`genzoo_hook_api = 2`) and implements any of the hooks below with
`@genzoo.hookimpl`; each returns a list of specs. Nothing heavy should be imported at module
level: specs carry import paths.
"""

from __future__ import annotations

import pluggy

from genzoo.specs import (
    ArchitectureSpec,
    CommandSpec,
    DatasetSpec,
    MetricSpec,
    PretrainedSpec,
    SamplerSpec,
)

PROJECT = "genzoo"
ENTRY_POINT_GROUP = "genzoo"
HOOK_API_VERSION = 2

# What each hook API version changed, for the message a plugin on an older one gets.
API_CHANGES = {
    2: (
        "ArchitectureSpec.trainer became trainers={name: path} and the spec lists the model methods samplers may "
        "call (methods=...), models declare capabilities and default_sampler on the class, TrainingStep.loss "
        "takes the step state, and plugins import only genzoo and genzoo.plugin"
    ),
}
MIGRATION_GUIDE = 'CONTRIBUTING.md, "Migrating from hook API 1"'

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def genzoo_architectures() -> list[ArchitectureSpec]:
    """Model architectures this plugin provides."""


@hookspec
def genzoo_pretrained() -> list[PretrainedSpec]:
    """Pretrained checkpoints (names pinned to hub repos) this plugin provides."""


@hookspec
def genzoo_samplers() -> list[SamplerSpec]:
    """Sampling strategies this plugin provides."""


@hookspec
def genzoo_datasets() -> list[DatasetSpec]:
    """Datasets this plugin provides."""


@hookspec
def genzoo_metrics() -> list[MetricSpec]:
    """Evaluation metrics this plugin provides."""


@hookspec
def genzoo_commands() -> list[CommandSpec]:
    """Extra `genzoo` CLI commands this plugin provides."""


# Hook name -> the spec type every item it returns must be (dicts are validated into it).
HOOK_SPEC_TYPES = {
    "genzoo_architectures": ArchitectureSpec,
    "genzoo_pretrained": PretrainedSpec,
    "genzoo_samplers": SamplerSpec,
    "genzoo_datasets": DatasetSpec,
    "genzoo_metrics": MetricSpec,
    "genzoo_commands": CommandSpec,
}
