"""Offline consistency check of a storage root (``python -m genzoo_hub --root DIR --fsck``).

The server checks blobs lazily and trusts file-system metadata to skip re-hashing (see
blobs.py); fsck re-hashes every blob that any commit of any branch references, so it also finds
silent media corruption, and it walks every history to find damaged or missing commit records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .blobs import FileEntry
from .errors import DataCorrupted
from .storage import Storage


@dataclass
class FsckReport:
    repos: int = 0
    commits: int = 0
    blobs_checked: int = 0
    corrupted_blobs: list[str] = field(default_factory=list)
    missing_blobs: list[str] = field(default_factory=list)
    bad_commits: list[str] = field(default_factory=list)  # "<repo>@<commit>: <problem>"
    unreferenced_blobs: int = 0  # left by failed commits; harmless, removed at the next server start

    @property
    def ok(self) -> bool:
        return not (self.corrupted_blobs or self.missing_blobs or self.bad_commits)

    def summary(self) -> str:
        lines = [
            f"repos: {self.repos}  commits: {self.commits}  blobs checked: {self.blobs_checked}"
            f"  unreferenced blobs: {self.unreferenced_blobs}",
            *(f"CORRUPTED blob {sha}" for sha in self.corrupted_blobs),
            *(f"MISSING blob {sha}" for sha in self.missing_blobs),
            *(f"BAD commit {problem}" for problem in self.bad_commits),
            "OK" if self.ok else "PROBLEMS FOUND",
        ]
        return "\n".join(lines)


def fsck(root: str | os.PathLike[str]) -> FsckReport:
    storage = Storage(Path(root))
    report = FsckReport()
    referenced: dict[str, FileEntry] = {}
    for repo_id in storage.iter_repos():
        report.repos += 1
        seen: set[str] = set()
        for head in storage.branches(repo_id).values():
            commit_id: str | None = head
            while commit_id is not None and commit_id not in seen:
                seen.add(commit_id)
                try:
                    commit = storage.get_commit(repo_id, commit_id)
                except (DataCorrupted, ValueError, KeyError) as exc:
                    report.bad_commits.append(f"{repo_id}@{commit_id}: unreadable ({exc})")
                    break
                if commit is None:
                    report.bad_commits.append(f"{repo_id}@{commit_id}: missing")
                    break
                report.commits += 1
                referenced.update((entry.sha256, entry) for entry in commit.files.values())
                commit_id = commit.parent
    for sha256 in sorted(referenced):
        report.blobs_checked += 1
        intact = storage.blobs.rehash(sha256)
        if intact is None:
            report.missing_blobs.append(sha256)
        elif not intact:
            report.corrupted_blobs.append(sha256)
    report.unreferenced_blobs = sum(1 for sha256 in storage.blobs.iter_stored() if sha256 not in referenced)
    return report
