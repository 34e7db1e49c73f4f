"""The checkpoint format: a hub-repo folder that loads anywhere.

    config.json        format version, architecture, plugin + version, model config, data spec
    model.safetensors  the weights (pickle files are refused)
    README.md          model card with Hugging Face YAML front matter
    preview.png        optional sample grid
    SHA256SUMS         sha256 of every other file (`sha256sum -c SHA256SUMS` checks it)

Loading validates config.json with pydantic, verifies the digests, builds the model and loads the
weights strictly; any problem is a CheckpointError naming the file, and no half-loaded model is
ever returned.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from genzoo.atomic import sha256_file, staged_folder, write_text
from genzoo.card import ModelCard, render_readme
from genzoo.dataspec import DataSpec
from genzoo.errors import CheckpointError, GenzooError, PluginMissingError, pydantic_message

FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CARD_FILE = "README.md"
PREVIEW_FILE = "preview.png"
CHECKSUMS_FILE = "SHA256SUMS"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")


class PluginRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str  # the distribution that provides the architecture, e.g. genzoo-latent-variable
    version: str


class CheckpointConfig(BaseModel):
    """The schema of config.json."""

    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1]
    architecture: str
    plugin: PluginRef
    genzoo_version: str
    config: dict[str, Any]
    data_spec: DataSpec


# -- saving -----------------------------------------------------------------------------------
def save_pretrained(model, directory: str | Path, *, card: ModelCard | None = None, preview: bool = False) -> Path:
    """Write `model` as a checkpoint folder, atomically replacing any previous one."""
    import torch
    from safetensors.torch import save_model

    from genzoo import __version__

    directory = Path(directory)
    spec = model.spec
    config = CheckpointConfig(
        format_version=FORMAT_VERSION,
        architecture=spec.name,
        plugin=PluginRef(name=spec.distribution or spec.plugin, version=_distribution_version(spec.distribution)),
        genzoo_version=__version__,
        config=model.config.hyperparameters(),
        data_spec=model.data_spec,
    )
    card = card or ModelCard(name=directory.name)
    with staged_folder(directory) as staging:
        write_text(staging / CONFIG_FILE, config.model_dump_json(indent=2) + "\n")
        # One metadata key only: safetensors writes metadata from a hash map, so with several keys
        # their order (and the file's sha256) would change from save to save.
        save_model(model, str(staging / WEIGHTS_FILE), metadata={"format": "pt"})
        if preview:
            from genzoo.outputs import save_samples

            samples = model.sample(16, condition=model.balanced_condition(16),
                                   generator=torch.Generator(device=model.device).manual_seed(0))
            save_samples(samples.cpu(), model.data_spec, staging / PREVIEW_FILE)
            card = card.model_copy(update={"preview": PREVIEW_FILE})
        checksums = {name: sha256_file(staging / name) for name in (CONFIG_FILE, WEIGHTS_FILE)}
        write_text(staging / CARD_FILE, render_readme(card, config, checksums, frozenset(spec.capabilities)))
        files = sorted(p.name for p in staging.iterdir() if p.is_file())
        write_text(staging / CHECKSUMS_FILE, "".join(f"{sha256_file(staging / f)}  {f}\n" for f in files))
    return directory


def _distribution_version(distribution: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except (metadata.PackageNotFoundError, ValueError):
        return "0+unknown"


# -- loading ----------------------------------------------------------------------------------
def read_config(directory: Path) -> CheckpointConfig:
    """Parse and validate config.json, with errors that name the file."""
    path = directory / CONFIG_FILE
    if not path.is_file():
        raise CheckpointError(f"{path}: missing; a genzoo checkpoint folder needs {CONFIG_FILE}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: not valid JSON ({error})") from None
    try:
        return CheckpointConfig.model_validate(raw)
    except ValidationError as error:
        raise CheckpointError(f"{path}: invalid genzoo config:\n" + pydantic_message(error, "  ")) from None


def verify_checksums(directory: Path) -> None:
    """Check every file listed in SHA256SUMS (when present) against its digest."""
    manifest = directory / CHECKSUMS_FILE
    if not manifest.is_file():
        return
    for line in manifest.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = directory / name
        if not name or "/" in name or name.startswith("."):
            raise CheckpointError(f"{manifest}: malformed line {line!r}")
        if not path.is_file():
            raise CheckpointError(f"{path}: listed in {CHECKSUMS_FILE} but missing")
        if sha256_file(path) != digest:
            raise CheckpointError(f"{path}: sha256 does not match {CHECKSUMS_FILE}; the file is corrupted or was modified")


def _weights_path(directory: Path) -> Path:
    path = directory / WEIGHTS_FILE
    if path.is_file():
        return path
    pickles = sorted(p.name for p in directory.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise CheckpointError(
            f"{directory / pickles[0]}: pickle weights are refused (they can run arbitrary code); "
            f"genzoo loads {WEIGHTS_FILE} only"
        )
    raise CheckpointError(f"{path}: missing")


def _read_weights(path: Path) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise CheckpointError(f"{path}: not a valid safetensors file ({' '.join(str(error).split())})") from None


def _load_state(model, state: dict, path: Path) -> None:
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        parts = [f"missing {', '.join(missing[:3])}" if missing else "", f"unexpected {', '.join(unexpected[:3])}" if unexpected else ""]
        raise CheckpointError(f"{path}: weights do not fit the model ({'; '.join(p for p in parts if p)})")
    for name, tensor in state.items():
        if tuple(tensor.shape) != tuple(expected[name].shape):
            raise CheckpointError(
                f"{path}: tensor {name!r} has shape {tuple(tensor.shape)}, the model needs {tuple(expected[name].shape)}"
            )
    model.load_state_dict(state, strict=True)


def load_checkpoint(directory: str | Path, *, device=None, dtype=None):
    """Load a checkpoint folder into a model in eval mode, or raise a CheckpointError."""
    from genzoo.registry import get_registry

    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: not a folder")
    config = read_config(directory)
    weights = _weights_path(directory)
    verify_checksums(directory)
    registry = get_registry()
    try:
        spec = registry.architecture(config.architecture)
    except GenzooError:
        raise PluginMissingError(
            f"{directory}: architecture {config.architecture!r} comes from {config.plugin.name}, which is not "
            f"installed; install it with `pip install {config.plugin.name}`"
        ) from None
    from genzoo.factory import build_model

    model = build_model(spec, {**config.config, "data": config.data_spec}, source=str(directory / CONFIG_FILE))
    _load_state(model, _read_weights(weights), weights)
    model.to(device=device, dtype=dtype)
    return model.eval()
