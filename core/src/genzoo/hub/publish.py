"""Validating and uploading checkpoint folders (`genzoo push`) and bundling them (`genzoo pull --to`)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from genzoo.atomic import staged_folder
from genzoo.checkpoint import CARD_FILE, WEIGHTS_FILE, read_config, verify_checksums
from genzoo.errors import CheckpointError, GenzooError
from genzoo.hub.guard import guard


def validate_folder(folder: Path) -> None:
    """Refuse to publish anything that `genzoo.load` would refuse: config, digests, safetensors, card."""
    from genzoo.checkpoint_fit import read_header

    if not folder.is_dir():
        raise CheckpointError(f"{folder}: not a folder")
    checkpoint_files(folder)  # refuses symlinks before anything is read through them
    read_config(folder)
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise CheckpointError(f"{weights}: missing")
    read_header(weights)  # the header reader loading uses: the same refusals, the same message
    card = folder / CARD_FILE
    try:
        text = card.read_bytes().decode("utf-8") if card.is_file() else ""
    except UnicodeDecodeError as error:
        raise CheckpointError(
            f"{card}: not UTF-8 text ({error.reason} at byte {error.start}); a model card must be UTF-8"
        ) from None
    if not text.startswith("---\n"):
        raise CheckpointError(f"{card}: missing or without YAML front matter; save with genzoo.save_pretrained")
    verify_checksums(folder)


def checkpoint_files(folder: Path) -> list[str]:
    """The top-level files of a checkpoint; training state (train/) and hidden files stay local.

    A symlink is refused rather than followed: its target could be any file of the user's
    (an SSH key, a token) that would then be uploaded or copied under an innocent name.
    """
    names = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_symlink():
            raise CheckpointError(
                f"{path}: a symlink (to {os.readlink(path)}); refusing to publish or copy it, copy the file in instead"
            )
        if path.is_file():
            names.append(path.name)
    return names


def push_folder(folder: Path, repo_id: str, *, endpoint: str | None, revision: str | None, private: bool,
                token: str | None) -> str:
    """Create the repo if needed and upload the folder in one commit; return the commit id."""
    from httpx2 import HTTPError
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        raise GenzooError(
            f"{repo_id!r}: not a repo id; expected NAME or NAMESPACE/NAME of letters, digits, '-', '_', '.'"
        ) from None
    endpoint = guard(endpoint or constants.ENDPOINT)
    validate_folder(folder)
    files = checkpoint_files(folder)
    api = HfApi(endpoint=endpoint, token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True)
        info = api.upload_folder(
            repo_id=repo_id, folder_path=str(folder), revision=revision,
            commit_message=f"Upload {folder.name} with genzoo push", allow_patterns=files,
        )
    except HfHubHTTPError as error:
        raise GenzooError(f"push to {repo_id} failed: {' '.join(str(error).split())[:300]}") from None
    except HTTPError as error:
        reason = " ".join(str(error).split())[:200]
        raise GenzooError(f"push to {repo_id}: cannot reach the hub {endpoint} ({reason})") from None
    return info.oid


def bundle(source: Path, target: Path) -> Path:
    """Copy a verified repo folder into a self-contained bundle folder, atomically.

    The source may be a huggingface_hub cache snapshot, whose files are symlinks into the repo's
    `blobs/` folder: those are followed, any other symlink is refused (see `checkpoint_files`).
    """
    blobs = source.resolve().parent.parent / "blobs"
    with staged_folder(target) as staging:
        for path in sorted(source.iterdir()):
            content = path.resolve()
            if path.name.startswith(".") or not content.is_file():
                continue
            if path.is_symlink() and content.parent != blobs:
                raise CheckpointError(
                    f"{path}: a symlink to {os.readlink(path)}, outside the hub cache; refusing to copy it"
                )
            shutil.copyfile(content, staging / path.name)
    return target
