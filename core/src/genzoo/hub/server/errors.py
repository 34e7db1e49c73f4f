"""Error vocabulary shared by the storage layer and the HTTP layer.

Every error knows its HTTP status and the ``X-Error-Code`` that the ``huggingface_hub`` client
maps to a typed exception (``RepoNotFound`` -> ``RepositoryNotFoundError``, ...). Storage code
raises these directly, so route handlers never need a translation table and a storage failure
can never surface as an anonymous 500.
"""

from __future__ import annotations


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
    """Carries the resolved commit so the client can cache the file's absence for that commit."""

    status, code = 404, "EntryNotFound"

    def __init__(self, message: str, *, commit: str) -> None:
        super().__init__(message, headers={"X-Repo-Commit": commit})


class RepoExists(HubError):
    status, code = 409, "RepoExists"


class PreconditionFailed(HubError):
    status, code = 412, "PreconditionFailed"


class PayloadTooLarge(HubError):
    status, code = 413, "PayloadTooLarge"


class UnsupportedMediaType(HubError):
    status, code = 415, "UnsupportedMediaType"


class RangeNotSatisfiable(HubError):
    status, code = 416, "RangeNotSatisfiable"


class DataCorrupted(HubError):
    """Stored data no longer matches its hash: refuse to serve it (503, documented, never 500).

    503 rather than a 4xx because the client did nothing wrong, and rather than 500 because the
    server is working as designed: it detected the damage and an operator can repair it (re-upload
    the file or restore the blob), after which the same request succeeds.
    """

    status, code = 503, "DataCorrupted"
