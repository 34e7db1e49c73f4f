"""Publishing a registry of checkpoint folders as tagged hub repos, and pinning the catalogs to them.

A pretrained card pins a revision that never moves. Our own server's commit ids hash their time
of creation, so the same folder gets another commit id on every server (and huggingface.co's ids
differ again): a card cannot pin a commit id that holds on every hub. It pins a tag instead
(`v0.2.0`), which `genzoo publish` creates on the commit it pushed and which a hub refuses to move,
and it pins the sha256 of every file, which is what makes the bytes the same on every hub.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from genzoo.atomic import sha256_file, write_text
from genzoo.checkpoint import CONFIG_FILE
from genzoo.errors import GenzooError
from genzoo.hub.publish import checkpoint_files, push_folder
from genzoo.specs import MOVING_BRANCHES, PretrainedSpec


_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


def check_tag(tag: str) -> str:
    """A tag a card can pin: not a moving branch name, not a commit id it could be mistaken for."""
    if not _TAG.fullmatch(tag) or tag in MOVING_BRANCHES or re.fullmatch(r"[0-9a-f]{40}", tag):
        raise GenzooError(f"tag {tag!r}: expected a release name such as v0.2.0 (letters, digits, '.', '_', '-'; "
                          f"not {' or '.join(MOVING_BRANCHES)}, not a 40-hex commit id)")
    return tag


def registry_folders(registry: Path) -> list[Path]:
    """The checkpoint folders of a registry: its sub-folders that hold a config.json."""
    if not registry.is_dir():
        raise GenzooError(f"{registry}: not a folder")
    folders = sorted(p for p in registry.iterdir() if p.is_dir() and (p / CONFIG_FILE).is_file())
    if not folders:
        raise GenzooError(f"{registry}: no checkpoint folders (sub-folders with a {CONFIG_FILE})")
    return folders


def tag_commit(repo_id: str, tag: str, commit: str, *, endpoint: str, token: str | None) -> None:
    """Tag a pushed commit; a tag that already names another commit is an error (tags never move)."""
    from httpx2 import HTTPError
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    try:
        HfApi(endpoint=endpoint, token=token).create_tag(repo_id, tag=tag, revision=commit)
    except HfHubHTTPError as error:
        if error.response.status_code != 409:
            reason = " ".join(str(error).split()).partition(" (Request ID")[0][:200]
            raise GenzooError(f"tag {tag} of {repo_id}: {reason}") from None
        existing = _tagged_commit(repo_id, tag, endpoint, token)
        if existing != commit:
            raise GenzooError(f"tag {tag} of {repo_id} already names commit {existing}, not the pushed {commit}; "
                              "tags never move: publish under a new tag") from None
    except HTTPError as error:
        raise GenzooError(f"tag {tag} of {repo_id}: cannot reach the hub {endpoint} ({error})") from None


def _tagged_commit(repo_id: str, tag: str, endpoint: str, token: str | None) -> str | None:
    from huggingface_hub import HfApi

    refs = HfApi(endpoint=endpoint, token=token).list_repo_refs(repo_id)
    return next((ref.target_commit for ref in refs.tags if ref.name == tag), None)


def pin_catalog(catalog: Path, folders: dict[str, Path], *, hub: str, namespace: str, tag: str) -> list[str]:
    """Point the catalog's entries for the published folders at `hub`/`namespace`/NAME@`tag`.

    Each entry keeps its metadata; its file pins are recomputed from the published folder. The
    rewritten entries are validated as cards before the file is replaced. Returns the names pinned.
    """
    try:
        entries = json.loads(catalog.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GenzooError(f"{catalog}: not a readable catalog ({error})") from None
    pinned = []
    for index, entry in enumerate(entries):
        folder = folders.get(entry.get("name"))
        if folder is None:
            continue
        coordinates = {"hub": hub, "repo_id": f"{namespace}/{folder.name}", "revision": tag}
        updated = {}
        for key, value in entry.items():  # same keys in the same order, the coordinates after the architecture
            if key not in coordinates:
                updated[key] = value
            if key == "architecture":
                updated.update(coordinates)
        updated["files"] = {name: sha256_file(folder / name) for name in checkpoint_files(folder)}
        entries[index] = updated
        try:
            PretrainedSpec.model_validate(updated)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise GenzooError(f"{catalog}: {entry['name']}: {where}: {first['msg']}") from None
        pinned.append(entry["name"])
    if pinned:
        write_text(catalog, json.dumps(entries, indent=1) + "\n")
    return pinned


def publish_registry(registry: Path, catalogs: list[Path], *, endpoint: str, recorded_hub: str, namespace: str,
                     tag: str, token: str | None, echo=print) -> dict[str, str]:
    """Push every checkpoint folder, tag each commit, pin the catalogs; returns name -> commit id."""
    check_tag(tag)
    folders = {folder.name: folder for folder in registry_folders(registry)}
    commits = {}
    for name, folder in folders.items():
        repo_id = f"{namespace}/{name}"
        commits[name] = push_folder(folder, repo_id, endpoint=endpoint, revision=None, private=False, token=token)
        tag_commit(repo_id, tag, commits[name], endpoint=endpoint, token=token)
        echo(f"{repo_id}@{tag}: commit {commits[name]}")
    pinned: set[str] = set()
    for catalog in catalogs:
        names = pin_catalog(catalog, folders, hub=recorded_hub, namespace=namespace, tag=tag)
        pinned.update(names)
        echo(f"{catalog}: pinned {len(names)} cards to {recorded_hub} @ {tag}")
    unpinned = sorted(set(folders) - pinned)
    if catalogs and unpinned:
        echo(f"no catalog entry for {', '.join(unpinned)}: published but not pinned")
    return commits
