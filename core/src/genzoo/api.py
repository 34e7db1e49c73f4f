"""The user-facing registry API: list_models, info, create, load, save_pretrained."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from genzoo.capabilities import Capability
from genzoo.dataspec import DataSpec
from genzoo.errors import PluginMissingError, UnknownNameError
from genzoo.registry import get_registry
from genzoo.specs import ArchitectureSpec, PretrainedSpec


class ModelInfo(BaseModel):
    """Everything `genzoo info` shows, gathered without importing model code."""

    name: str
    kind: str  # "architecture" or "pretrained"
    architecture: ArchitectureSpec
    pretrained: PretrainedSpec | None = None
    samplers: list[str]


def list_models(
    pattern: str = "*",
    family: str | None = None,
    pretrained: bool | None = None,
    capability: str | Capability | None = None,
) -> list[str]:
    """Names of registered models matching an fnmatch `pattern` and the filters, sorted."""
    return get_registry().list_models(pattern, family=family, pretrained=pretrained, capability=capability)


def info(name: str) -> ModelInfo:
    registry = get_registry()
    spec = _model_spec(name)
    architecture = registry.architecture_of(spec)
    return ModelInfo(
        name=name,
        kind="pretrained" if isinstance(spec, PretrainedSpec) else "architecture",
        architecture=architecture,
        pretrained=spec if isinstance(spec, PretrainedSpec) else None,
        samplers=registry.samplers_for(architecture),
    )


def _model_spec(name: str) -> ArchitectureSpec | PretrainedSpec:
    """Look a model name up, explaining which package to install when its family is missing."""
    registry = get_registry()
    try:
        return registry.model(name)
    except UnknownNameError:
        from genzoo.checkpoint import read_config
        from genzoo.hub import find_bundled_repo

        folder = find_bundled_repo(name)
        if folder is not None:
            package = read_config(folder).plugin.name
            raise PluginMissingError(
                f"{name!r} is a pretrained model of {package}, which is not installed: pip install {package}"
            ) from None
        raise


def create(architecture: str, *, data: DataSpec | dict | None = None, **config: Any):
    """A randomly initialised model of `architecture`; keyword arguments override its config."""
    from genzoo.factory import build_model

    spec = get_registry().architecture(architecture)
    values = dict(config)
    if data is not None:
        values["data"] = data
    return build_model(spec, values, source=architecture)


def load(name_or_path: str | Path, revision: str | None = None, device=None, dtype=None, verify: bool = True):
    """Load a pretrained name, a checkpoint folder or a hub repo into a model in eval mode.

    Every file read is checked against a sha256 (the card's pins, else the folder's SHA256SUMS);
    `verify=False` skips that for a folder you made and trust.
    """
    from genzoo.checkpoint import load_checkpoint
    from genzoo.devices import usable_device
    from genzoo.hub import fetch_pretrained, fetch_repo

    if device is not None:
        usable_device(device)  # one clear error before any download or allocation
    if str(name_or_path).startswith("hf://"):
        return load_checkpoint(fetch_repo(str(name_or_path), revision), device=device, dtype=dtype, verify=verify)
    path = Path(name_or_path).expanduser()
    if isinstance(name_or_path, Path) or path.is_dir() or str(name_or_path).startswith((".", "/", "~")):
        return load_checkpoint(path, device=device, dtype=dtype, verify=verify)
    spec = _model_spec(str(name_or_path))
    if isinstance(spec, ArchitectureSpec):
        raise UnknownNameError(
            "pretrained model", spec.name, get_registry().list_models(pretrained=True),
            f"{spec.name!r} is an architecture: use genzoo.create({spec.name!r}) for a new model",
        )
    if revision is not None:
        spec = spec.model_copy(update={"revision": revision})
    model = load_checkpoint(fetch_pretrained(spec), device=device, dtype=dtype, verify=verify, pinned=spec.files)
    if spec.sampling is not None:  # the catalog's record of how the card was measured wins over config.json's
        model.sampling_defaults = spec.sampling
    return model


def save_pretrained(model, directory: str | Path, **options: Any) -> Path:
    """Save `model` as a checkpoint folder (see genzoo.checkpoint)."""
    from genzoo.checkpoint import save_pretrained as save

    return save(model, directory, **options)
