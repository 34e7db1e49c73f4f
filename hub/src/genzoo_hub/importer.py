"""Publish a directory of model folders as hub repos (``--import DIR``).

Each sub-folder ``DIR/<name>`` becomes the ``main`` branch of ``<namespace>/<name>``: the first
import creates the repo with the folder as its first commit; later imports commit the folder's
exact content (removed files disappear) and create no commit when nothing changed, so importing
is idempotent and safe to run at every server start.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from .blobs import FileEntry
from .errors import HubError, ServerSetupError
from .storage import DEFAULT_BRANCH, Storage
from .validation import validate_branch, validate_path, validate_repo_id

logger = logging.getLogger("genzoo_hub")


def _collect(folder: Path) -> list[tuple[str, Path]]:
    """``(path in repo, file)`` pairs; skips ``.git`` folders and symlinks (which could point anywhere)."""
    found = []
    for directory, subdirs, filenames in os.walk(folder):
        subdirs[:] = sorted(d for d in subdirs if d != ".git" and not os.path.islink(os.path.join(directory, d)))
        for filename in sorted(filenames):
            source = Path(directory, filename)
            if source.is_symlink():
                logger.warning("import: skipping symlink %s", source)
                continue
            found.append((source.relative_to(folder).as_posix(), source))
    return found


def import_into(storage: Storage, import_dir: Path, namespace: str, tag: str | None = None) -> list[tuple[str, str]]:
    folders = sorted(p for p in Path(import_dir).iterdir() if p.is_dir() and not p.name.startswith("."))
    plan = []
    try:  # validate everything before storing anything
        if tag is not None:
            validate_branch(tag)
        for folder in folders:
            files = _collect(folder)
            plan.append((validate_repo_id(namespace, folder.name), [(validate_path(rel), src) for rel, src in files]))
    except HubError as exc:
        raise ServerSetupError(f"cannot import {import_dir}: {exc.message}") from None
    published = []
    for repo_id, files in plan:
        entries: dict[str, FileEntry] = {rel: storage.blobs.put_file(source) for rel, source in files}
        message = f"Import {repo_id} ({len(entries)} files)"
        if storage.repo(repo_id) is None:
            commit = storage.create_repo(repo_id, files=entries, message=message)
        else:
            commit = storage.commit(
                repo_id, DEFAULT_BRANCH, lambda _: dict(entries), message=message, allow_empty=False
            )
        if tag is not None:
            try:
                storage.create_tag(repo_id, tag, commit.id)
            except HubError as exc:
                raise ServerSetupError(f"cannot tag the import of {repo_id}: {exc.message}") from None
        published.append((repo_id, commit.id))
    return published


def import_folder(
    root: str | os.PathLike[str], import_dir: str | os.PathLike[str], namespace: str = "genzoo",
    tag: str | None = None,
) -> list[tuple[str, str]]:
    """Import every ``import_dir/<name>`` as ``namespace/<name>``; returns ``(repo_id, commit_id)`` pairs.

    With ``tag``, each imported commit is also tagged (e.g. ``v0.2.0``, the revision the pretrained
    cards pin); a tag already naming another commit is refused, since tags never move.

    Unchanged folders keep their current head commit (no new commit is created).
    """
    return import_into(Storage(Path(root)), Path(import_dir), namespace, tag)
