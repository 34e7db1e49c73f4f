"""The checkpoint format: a hub-repo folder that loads anywhere.

    config.json        format version, architecture, plugin + version, model config, data spec,
                       and optionally the sampler + options the card was measured with
    model.safetensors  the weights (pickle files are refused)
    README.md          model card with Hugging Face YAML front matter
    preview.png        optional sample grid
    SHA256SUMS         sha256 of every other file (`sha256sum -c SHA256SUMS` checks it)

Loading validates config.json with pydantic, verifies the digests, builds the model and loads the
weights strictly; any problem is a CheckpointError naming the file, and no half-loaded model is
ever returned.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from genzoo.atomic import finish_staged, sha256_file, staged_folder, write_text
from genzoo.card import ModelCard, render_readme
from genzoo.dataspec import DataSpec
from genzoo.errors import CheckpointError, GenzooError, PluginMissingError, pydantic_message
from genzoo.specs import SamplingDefaults

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
    sampling: SamplingDefaults | None = None  # how `model.sample` samples when the caller names no sampler


# -- saving -----------------------------------------------------------------------------------
def save_pretrained(model, directory: str | Path, *, card: ModelCard | None = None, preview: bool = False,
                    sampling: SamplingDefaults | dict | None = None) -> Path:
    """Write `model` as a checkpoint folder, atomically replacing any previous one.

    `sampling` (default: the model's own `sampling_defaults`) records the sampler and options the
    card's numbers were measured with; `genzoo.load` gives them back to `model.sample`. `preview` adds a
    grid of 16 samples for data a PNG can show (images, 2-D points); other data (sequences, text) and models
    that cannot sample (translators: their outputs need inputs) get none.
    """
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
        sampling=model.sampling_defaults if sampling is None else SamplingDefaults.model_validate(sampling),
    )
    card = card or ModelCard(name=directory.name)
    with staged_folder(directory, last=CHECKSUMS_FILE) as staging:
        # Without sampling defaults config.json stays byte-identical to what earlier genzoo versions wrote.
        unset = {"sampling"} if config.sampling is None else None
        write_text(staging / CONFIG_FILE, config.model_dump_json(indent=2, exclude=unset) + "\n")
        # One metadata key only: safetensors writes metadata from a hash map, so with several keys
        # their order (and the file's sha256) would change from save to save.
        save_model(model, str(staging / WEIGHTS_FILE), metadata={"format": "pt"})
        shutil.copymode(staging / CONFIG_FILE, staging / WEIGHTS_FILE)  # safetensors writes 0600; umask like the rest
        if preview and model.data_spec.is_drawable and model.sampling_plan(None, {})[0] is not None:
            from genzoo.outputs import save_samples

            samples = model.sample(16, condition=model.balanced_condition(16),
                                   generator=torch.Generator(device=model.device).manual_seed(0))
            save_samples(samples.cpu(), model.data_spec, staging / PREVIEW_FILE)
            card = card.model_copy(update={"preview": PREVIEW_FILE})
        write_card_and_checksums(staging, card, config, spec.capabilities)
    return directory


def write_card_and_checksums(folder: Path, card: ModelCard, config: CheckpointConfig, capabilities) -> None:
    """The last writes of a checkpoint folder: the README card (which quotes the config and weights
    digests), then SHA256SUMS over every other file. Saving and re-rendering a card share it, so the
    two can never disagree on the manifest's format."""
    checksums = {name: sha256_file(folder / name) for name in (CONFIG_FILE, WEIGHTS_FILE)}
    write_text(folder / CARD_FILE, render_readme(card, config, checksums, frozenset(capabilities)))
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != CHECKSUMS_FILE)
    write_text(folder / CHECKSUMS_FILE, "".join(f"{sha256_file(folder / f)}  {f}\n" for f in files))


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


def read_checksums(directory: Path) -> dict[str, str]:
    """{file name: sha256} from SHA256SUMS; {} when the folder has none."""
    manifest = directory / CHECKSUMS_FILE
    if not manifest.is_file():
        return {}
    digests = {}
    for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
        digest, _, name = line.partition("  ")
        if not name or "/" in name or name.startswith(".") or len(digest) != 64:
            raise CheckpointError(f"{manifest}: malformed line {line[:80]!r}")
        digests[name] = digest
    return digests


def verify_checksums(directory: Path, *, required: tuple[str, ...] = (CONFIG_FILE, WEIGHTS_FILE),
                     pinned: dict[str, str] | None = None) -> None:
    """Check every file listed in SHA256SUMS or `pinned` (a card's digests, which win); each of
    `required` (the files that will be read) must have a digest, so that a folder without
    SHA256SUMS, or with a line removed, cannot load tampered weights unnoticed."""
    digests = {**read_checksums(directory), **(pinned or {})}
    for name in required:
        if name not in digests:
            raise CheckpointError(
                f"{directory / name}: no sha256 for it in {CHECKSUMS_FILE} or the card, so it cannot be verified; "
                "save the folder with genzoo.save_pretrained, or load it with verify=False (--no-verify) if you trust it"
            )
    for name, digest in digests.items():
        path = directory / name
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


def load_checkpoint(directory: str | Path, *, device=None, dtype=None, verify: bool = True,
                    pinned: dict[str, str] | None = None):
    """Load a checkpoint folder into a model in eval mode, or raise a CheckpointError.

    With `verify` (the default) every file read must match a sha256 from SHA256SUMS or `pinned`;
    `verify=False` is the explicit opt-out for a folder you made and trust. The model is sized
    against the weights header on the meta device before any memory is allocated.
    """
    import torch

    from genzoo.checkpoint_fit import build_on_meta, check_fits, read_header
    from genzoo.registry import get_registry

    directory = Path(directory)
    if not directory.is_dir():
        raise CheckpointError(f"{directory}: not a folder")
    with contextlib.suppress(OSError):  # a read-only folder: a half-finished save then fails its digests
        finish_staged(directory)  # complete a save that a crash interrupted
    weights = _weights_path(directory)
    if verify:
        verify_checksums(directory, pinned=pinned)
    config = read_config(directory)
    registry = get_registry()
    try:
        spec = registry.architecture(config.architecture)
    except GenzooError:
        raise PluginMissingError(
            f"{directory}: architecture {config.architecture!r} comes from {config.plugin.name}, which is not "
            f"installed; install it with `pip install {config.plugin.name}`"
        ) from None
    from genzoo.factory import build_model

    def build():
        return build_model(spec, {**config.config, "data": config.data_spec}, source=str(directory / CONFIG_FILE))

    # A card of an installed plugin pinning both files vouches for these exact bytes, so only unpinned
    # folders pay for sizing on meta (its first use imports torch's tracing machinery: about 2 s).
    vouched = verify and pinned is not None and {CONFIG_FILE, WEIGHTS_FILE} <= set(pinned)
    if not vouched:
        check_fits(build_on_meta(build, directory / CONFIG_FILE), read_header(weights), weights,
                   config_path=directory / CONFIG_FILE)
    with torch.device("cpu"):  # real storage, even when a checkpoint is loaded while another is sized on meta
        model = build()
    model.load_state_dict(_read_weights(weights), strict=True)
    model.sampling_defaults = config.sampling
    model.to(device=device, dtype=dtype)
    return model.eval()
