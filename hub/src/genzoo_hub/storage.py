"""Repositories, immutable commits and atomically-updated branch refs on top of the blob store.

Layout under the storage root::

    blobs/ab/ab12...            content-addressed file bytes (see blobs.py)
    tmp/                        temp files of in-flight blob writes
    repos/<ns>/<name>/
        lock                    flock serialising commits to this repo (across processes)
        repo.json               {"private": bool, "created_at": ...}
        refs.json               {"branches": {"main": "<commit id>"}, "tags": {"v0.2.0": "<commit id>"}}
                                -- the repo exists iff this exists; tags never move
        commits/<id>.json       one immutable commit record; id = sha1 of the record's bytes

A commit is published in three durable steps: blobs, then the commit record, then the ref. Each
step is a temp-file + fsync + rename (+ directory fsync), and the ref moves last, so a crash at any
point (SIGKILL included) leaves the previous revision intact and never exposes a partial commit.
A record written just before a crash is unreachable; :meth:`Storage.recover` deletes it at the
next start, so every commit the server will ever resolve is reachable from a branch or a tag.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from genzoo.atomic import TEMP_SUFFIX, fsync_dir
from genzoo.atomic import write_bytes as atomic_write

from .blobs import BlobStore, FileEntry
from .errors import (
    BadRequest, DataCorrupted, PreconditionFailed, RepoExists, RepoNotFound, RevisionNotFound, TagExists,
)
from .locks import locked
from .validation import COMMIT_ID_RE

logger = logging.getLogger("genzoo_hub")

DEFAULT_BRANCH = "main"
PAUSE_ENV = "GENZOO_HUB_TEST_PAUSE_IN_COMMIT"
_COMMIT_CACHE_SIZE = 4096


@dataclass(frozen=True)
class Commit:
    id: str
    parent: str | None
    message: str
    description: str
    created_at: str
    files: Mapping[str, FileEntry]


@dataclass(frozen=True)
class RepoMeta:
    repo_id: str
    private: bool
    created_at: str


def _now() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _pause_for_tests() -> None:
    """Crash-test hook: ``GENZOO_HUB_TEST_PAUSE_IN_COMMIT=<seconds>`` sleeps inside the critical
    window (commit record durable, ref not yet moved) so a test can SIGKILL the server there."""
    seconds = os.environ.get(PAUSE_ENV)
    if seconds:
        logger.warning("pausing %s s inside a commit (%s is set)", seconds, PAUSE_ENV)
        time.sleep(float(seconds))


def _read_json(path: Path, keys: tuple[str, ...]) -> dict:
    """A small metadata file; damage is reported as DataCorrupted (never as a client error)."""
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
        if isinstance(data, dict) and all(key in data for key in keys):
            return data
    except ValueError:
        pass
    raise DataCorrupted(f"{path.name} of {path.parent.parent.name}/{path.parent.name} is damaged on the server")


def _check_no_file_dir_clash(files: Mapping[str, FileEntry]) -> None:
    """A path cannot be both a file and a directory (git trees cannot represent that)."""
    for path in files:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            if prefix in files:
                raise BadRequest(f"{path!r} would be inside {prefix!r}, which is a file")


class Storage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.blobs = BlobStore(self.root)
        self.repos_dir = self.root / "repos"
        self.repos_dir.mkdir(exist_ok=True)
        self._commit_cache: dict[tuple[str, str], Commit] = {}
        self._cache_lock = threading.Lock()

    # -- repos ---------------------------------------------------------------------------------

    def _repo_dir(self, repo_id: str) -> Path:
        namespace, name = repo_id.split("/")
        return self.repos_dir / namespace / name

    def repo(self, repo_id: str) -> RepoMeta | None:
        """Metadata of an existing repo, or None (a half-created repo does not exist)."""
        directory = self._repo_dir(repo_id)
        if not (directory / "refs.json").exists():
            return None
        meta = _read_json(directory / "repo.json", ("private", "created_at"))
        return RepoMeta(repo_id=repo_id, private=bool(meta["private"]), created_at=meta["created_at"])

    def iter_repos(self) -> Iterator[str]:
        for ns_dir in sorted(p for p in self.repos_dir.iterdir() if p.is_dir()):
            for repo_dir in sorted(p for p in ns_dir.iterdir() if p.is_dir()):
                if (repo_dir / "refs.json").exists():
                    yield f"{ns_dir.name}/{repo_dir.name}"

    def create_repo(
        self,
        repo_id: str,
        *,
        private: bool = False,
        files: Mapping[str, FileEntry] | None = None,
        message: str = "Initial commit",
    ) -> Commit:
        """Create a repo whose ``main`` branch holds one commit with ``files`` (empty by default)."""
        directory = self._repo_dir(repo_id)
        for created in (directory.parent, directory, directory / "commits"):
            if not created.is_dir():
                created.mkdir(exist_ok=True)
                fsync_dir(created.parent)  # the new directory entry must survive a power loss too
        with locked(directory / "lock"):
            if (directory / "refs.json").exists():
                raise RepoExists(f"repo {repo_id} already exists")
            atomic_write(directory / "repo.json", _canonical({"private": private, "created_at": _now()}))
            commit = self._write_commit(repo_id, None, dict(files or {}), message, "")
            atomic_write(directory / "refs.json", _canonical({"branches": {DEFAULT_BRANCH: commit.id}}))
        logger.info("created repo %s at %s", repo_id, commit.id)
        return commit

    # -- refs and commits ----------------------------------------------------------------------

    def branches(self, repo_id: str) -> dict[str, str]:
        try:
            return dict(_read_json(self._repo_dir(repo_id) / "refs.json", ("branches",))["branches"])
        except FileNotFoundError:
            raise RepoNotFound(f"repository {repo_id} not found") from None

    def tags(self, repo_id: str) -> dict[str, str]:
        """Tag name -> commit id; a tag never moves once created (cards pin them)."""
        try:
            return dict(json.loads((self._repo_dir(repo_id) / "refs.json").read_bytes()).get("tags", {}))
        except FileNotFoundError:
            raise RepoNotFound(f"repository {repo_id} not found") from None

    def create_tag(self, repo_id: str, tag: str, revision: str) -> str:
        """Tag the commit `revision` resolves to; returns its id. Re-tagging the same commit is a no-op.

        A tag that exists on another commit is refused: a card pinning `v0.2.0` must get the
        bytes it was published with, on every server that has that tag.
        """
        directory = self._repo_dir(repo_id)
        with locked(directory / "lock"):
            tags = self.tags(repo_id)
            if tag in self.branches(repo_id):
                raise TagExists(f"{tag!r} is a branch of {repo_id}")
            commit = self.resolve(repo_id, revision)
            if tags.get(tag, commit.id) != commit.id:
                raise TagExists(f"tag {tag!r} of {repo_id} already names commit {tags[tag]}; tags never move")
            if tag not in tags:
                tags[tag] = commit.id
                atomic_write(directory / "refs.json", _canonical({"branches": self.branches(repo_id), "tags": tags}))
                logger.info("tagged %s@%s as %s", repo_id, commit.id, tag)
        return commit.id

    def get_commit(self, repo_id: str, commit_id: str) -> Commit | None:
        key = (repo_id, commit_id)
        cached = self._commit_cache.get(key)
        if cached is not None:
            return cached
        try:
            raw = (self._repo_dir(repo_id) / "commits" / f"{commit_id}.json").read_bytes()
        except FileNotFoundError:
            return None
        if hashlib.sha1(raw).hexdigest() != commit_id:
            raise DataCorrupted(f"commit record {commit_id} of {repo_id} is corrupted on the server")
        data = json.loads(raw)
        commit = Commit(
            id=commit_id,
            parent=data["parent"],
            message=data["message"],
            description=data["description"],
            created_at=data["created_at"],
            files={path: FileEntry.from_json(entry) for path, entry in data["files"].items()},
        )
        with self._cache_lock:
            if len(self._commit_cache) >= _COMMIT_CACHE_SIZE:
                self._commit_cache.clear()
            self._commit_cache[key] = commit
        return commit

    def resolve(self, repo_id: str, revision: str) -> Commit:
        """Commit for a branch name, a tag or a (reachable) commit id of this repo."""
        branches = self.branches(repo_id)
        commit_id = revision if COMMIT_ID_RE.fullmatch(revision) else \
            branches.get(revision) or self.tags(repo_id).get(revision)
        commit = self.get_commit(repo_id, commit_id) if commit_id else None
        if commit is None:
            raise RevisionNotFound(f"revision {revision!r} not found in {repo_id}")
        return commit

    def commit(
        self,
        repo_id: str,
        branch: str,
        change: Callable[[dict[str, FileEntry]], dict[str, FileEntry]],
        *,
        message: str,
        description: str = "",
        expected_parent: str | None = None,
        allow_empty: bool = True,
    ) -> Commit:
        """Apply ``change`` to the branch head's file mapping and publish the result atomically.

        ``change`` runs under the repo lock, so concurrent commits serialise instead of losing
        updates. With ``allow_empty=False`` an unchanged tree returns the current head instead of
        creating a commit (idempotent imports).
        """
        directory = self._repo_dir(repo_id)
        with locked(directory / "lock"):
            branches = self.branches(repo_id)
            if branch not in branches:
                raise RevisionNotFound(f"branch {branch!r} not found in {repo_id}")
            head = self.resolve(repo_id, branches[branch])
            if expected_parent is not None and expected_parent != head.id:
                raise PreconditionFailed(f"parent commit {expected_parent} is not the head of {branch} ({head.id})")
            files = change(dict(head.files))
            _check_no_file_dir_clash(files)
            if not allow_empty and files == head.files:
                return head
            commit = self._write_commit(repo_id, head.id, files, message, description)
            _pause_for_tests()
            branches[branch] = commit.id
            atomic_write(directory / "refs.json", _canonical({"branches": branches, "tags": self.tags(repo_id)}))
        logger.info("commit %s on %s@%s (%d files)", commit.id, repo_id, branch, len(files))
        return commit

    def _write_commit(
        self, repo_id: str, parent: str | None, files: dict[str, FileEntry], message: str, description: str
    ) -> Commit:
        created_at = _now()
        raw = _canonical(
            {
                "parent": parent,
                "message": message,
                "description": description,
                "created_at": created_at,
                "files": {path: entry.to_json() for path, entry in sorted(files.items())},
            }
        )
        commit_id = hashlib.sha1(raw).hexdigest()
        atomic_write(self._repo_dir(repo_id) / "commits" / f"{commit_id}.json", raw, mode=0o444)
        return Commit(commit_id, parent, message, description, created_at, files)

    # -- recovery ------------------------------------------------------------------------------

    def recover(self) -> None:
        """Clean up after a crash: temp files, and commit records no branch can reach.

        Must run before this process serves writes, while no other writer uses the root (the
        server's root lock guarantees that). Orphans are only deleted when every record of the
        repo is readable, so a damaged history is never "repaired" by deleting ancestors.
        """
        self.blobs.clean_tmp()
        for ns_dir in (p for p in self.repos_dir.iterdir() if p.is_dir()):
            for repo_dir in (p for p in ns_dir.iterdir() if p.is_dir()):
                with locked(repo_dir / "lock"):
                    self._recover_repo(f"{ns_dir.name}/{repo_dir.name}", repo_dir)
        self.collect_blobs()

    def collect_blobs(self) -> int:
        """Delete blobs that no commit record references; returns how many.

        They are left by commits that stored their files and then failed (a parent mismatch, a
        crash before the ref moved, or the pre-streaming server, which stored blobs as lines
        arrived). Same precondition as :meth:`recover`: no writer may be running, since an
        in-flight commit's blobs are referenced by nothing yet. Every record counts, reachable
        or not, and nothing is deleted if any record is unreadable.
        """
        referenced: set[str] = set()
        for record in self.repos_dir.glob("*/*/commits/*.json"):
            try:
                files = json.loads(record.read_bytes())["files"]
                referenced.update(entry["sha256"] for entry in files.values())
            except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
                logger.error("commit record %s is unreadable (%s); not collecting unreferenced blobs", record, exc)
                return 0
        orphans = [sha256 for sha256 in self.blobs.iter_stored() if sha256 not in referenced]
        for sha256 in orphans:
            self.blobs.remove(sha256)
        if orphans:
            logger.warning("removed %d blobs that no commit references (left by rejected or interrupted commits)",
                           len(orphans))
        return len(orphans)

    def _recover_repo(self, repo_id: str, repo_dir: Path) -> None:
        commits_dir = repo_dir / "commits"
        for directory in (repo_dir, commits_dir):
            for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
                leftover.unlink()
        if not (repo_dir / "refs.json").exists():
            return  # creation was interrupted; create_repo will reuse the directory
        parents: dict[str, str | None] = {}
        for record in commits_dir.glob("*.json"):
            try:
                raw = record.read_bytes()
                if hashlib.sha1(raw).hexdigest() != record.stem:
                    raise ValueError("checksum mismatch")
                parents[record.stem] = json.loads(raw)["parent"]
            except (OSError, ValueError, KeyError) as exc:
                logger.error("commit record %s of %s is unreadable (%s); skipping orphan cleanup", record, repo_id, exc)
                return
        reachable: set[str] = set()
        for head in [*self.branches(repo_id).values(), *self.tags(repo_id).values()]:
            commit_id: str | None = head
            while commit_id is not None and commit_id not in reachable:
                if commit_id not in parents:
                    logger.error("commit %s of %s is missing; skipping orphan cleanup", commit_id, repo_id)
                    return
                reachable.add(commit_id)
                commit_id = parents[commit_id]
        for orphan in sorted(set(parents) - reachable):
            logger.warning("removing commit %s of %s: written by a commit that did not finish", orphan, repo_id)
            (commits_dir / f"{orphan}.json").unlink()
