"""Error vocabulary shared by the storage layer and the HTTP layer.

Every error knows its HTTP status and the ``X-Error-Code`` that the ``huggingface_hub`` client
maps to a typed exception (``RepoNotFound`` -> ``RepositoryNotFoundError``, ...). Storage code
raises these directly, so route handlers never need a translation table and a storage failure
can never surface as an anonymous 500.
"""

from __future__ import annotations

from genzoo import GenzooError


class ServerSetupError(GenzooError):
    """The operator's configuration is unusable (token file, namespace, root in use): one CLI line."""

    exit_code = 2


class HubError(Exception):
    """An error with a well-defined HTTP answer."""

    status = 400
    code = "BadRequest"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(HubError):
    status, code = 400, "BadRequest"


class Unauthorized(HubError):
    status, code = 401, "Unauthorized"


class Forbidden(HubError):
    status, code = 403, "Forbidden"


class NotFound(HubError):
    status, code = 404, "NotFound"


class MethodNotAllowed(HubError):
    status, code = 405, "MethodNotAllowed"


class RepoNotFound(HubError):
    """Also used with status 401 for anonymous callers, so that private repos are not revealed."""

    code = "RepoNotFound"

    def __init__(self, message: str, *, status: int = 404, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers=headers)
        self.status = status


class RevisionNotFound(HubError):
    status, code = 404, "RevisionNotFound"


class EntryNotFound(HubError):
    """Carries the resolved commit, when known, so the client can cache the absence for that commit."""

    status, code = 404, "EntryNotFound"

    def __init__(self, message: str, *, commit: str | None = None) -> None:
        super().__init__(message, headers={"X-Repo-Commit": commit} if commit else None)


class RepoExists(HubError):
    status, code = 409, "RepoExists"


class TagExists(HubError):
    status, code = 409, "TagExists"


class PreconditionFailed(HubError):
    status, code = 412, "PreconditionFailed"


class PayloadTooLarge(HubError):
    status, code = 413, "PayloadTooLarge"


class UnsupportedMediaType(HubError):
    status, code = 415, "UnsupportedMediaType"


class RangeNotSatisfiable(HubError):
    status, code = 416, "RangeNotSatisfiable"


class DataCorrupted(HubError):
    """Stored data no longer matches its hash: refuse to serve it with 409 Conflict.

    409 says "the resource's current state prevents this", which is the situation: the bytes on disk
    conflict with the hash that names them. Not 500 (the server works as designed: it detected the
    damage) and not 503, which ``huggingface_hub`` retries with backoff for about 23 seconds, pointless
    for damage that needs an operator (re-upload the file or restore the blob; then the same request
    succeeds). Clients recognise the case by ``X-Error-Code: DataCorrupted``.
    """

    status, code = 409, "DataCorrupted"


class ServiceUnavailable(HubError):
    """Last-resort answer for an unexpected server-side failure (logged with its traceback)."""

    status, code = 503, "ServiceUnavailable"


class InsufficientStorage(HubError):
    status, code = 507, "InsufficientStorage"


class RootInUse(GenzooError):
    """A second server on one storage root would race the first one's crash recovery and writes."""
