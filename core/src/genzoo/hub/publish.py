"""Validating and uploading checkpoint folders (`genzoo push`) and bundling them (`genzoo pull --to`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from genzoo.atomic import staged_folder
from genzoo.checkpoint import CARD_FILE, WEIGHTS_FILE, read_config, verify_checksums
from genzoo.errors import CheckpointError, GenzooError


def validate_folder(folder: Path) -> None:
    """Refuse to publish anything that `genzoo.load` would refuse: config, digests, safetensors, card."""
    from safetensors import SafetensorError, safe_open

    if not folder.is_dir():
        raise CheckpointError(f"{folder}: not a folder")
    read_config(folder)
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise CheckpointError(f"{weights}: missing")
    try:
        with safe_open(str(weights), framework="pt") as handle:
            handle.keys()
    except (SafetensorError, OSError) as error:
        raise CheckpointError(f"{weights}: not a valid safetensors file ({error})") from None
    card = folder / CARD_FILE
    if not card.is_file() or not card.read_text(encoding="utf-8").startswith("---\n"):
        raise CheckpointError(f"{card}: missing or without YAML front matter; save with genzoo.save_pretrained")
    verify_checksums(folder)


def _checkpoint_files(folder: Path) -> list[str]:
    """The top-level files of a checkpoint; training state (train/) and hidden files stay local."""
    return sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def push_folder(folder: Path, repo_id: str, *, endpoint: str | None, revision: str | None, private: bool,
                token: str | None) -> str:
    """Create the repo if needed and upload the folder in one commit; return the commit id."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    validate_folder(folder)
    api = HfApi(endpoint=endpoint, token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo_id, folder_path=str(folder), revision=revision,
            commit_message=f"Upload {folder.name} with genzoo push",
            allow_patterns=_checkpoint_files(folder),
        )
    except HfHubHTTPError as error:
        raise GenzooError(f"push to {repo_id} failed: {' '.join(str(error).split())[:300]}") from None
    return info.oid


def bundle(source: Path, target: Path) -> Path:
    """Copy a verified repo folder into a self-contained bundle folder, atomically."""
    with staged_folder(target) as staging:
        for path in source.iterdir():
            if path.is_file():
                shutil.copy2(path.resolve(), staging / path.name)  # resolve: hub caches hold symlinks
    return target
