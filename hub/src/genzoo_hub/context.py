"""State shared by all route handlers of one app: storage, authorisation and limits."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from .auth import Authorizer
from .storage import Commit, RepoMeta, Storage
from .validation import validate_repo_id, validate_revision


@dataclass(frozen=True)
class HubContext:
    storage: Storage
    auth: Authorizer
    max_upload_bytes: int

    def readable_repo(self, request: Request, namespace: str, name: str) -> RepoMeta:
        """Metadata of a repo this request may read (else 400/401/404)."""
        repo_id = validate_repo_id(namespace, name)
        meta = self.storage.repo(repo_id)
        self.auth.check_read(request, repo_id, meta)
        assert meta is not None  # check_read raises for missing repos
        return meta

    def readable_commit(self, request: Request, namespace: str, name: str, revision: str) -> tuple[RepoMeta, Commit]:
        revision = validate_revision(revision)
        meta = self.readable_repo(request, namespace, name)
        return meta, self.storage.resolve(meta.repo_id, revision)
