"""Bearer-token authorisation: public reads are open, writes and private reads need a token.

Tokens come from a file (``token:role`` per line, role ``read`` or ``write``, ``#`` comments) and
from ``GENZOO_HUB_TOKENS`` (same entries separated by commas or whitespace). A presented token is
compared against every configured token with ``hmac.compare_digest`` and without early exit, so
response time does not reveal how much of a guess was right.

On reads, an unknown token is treated as no token rather than rejected: the ``huggingface_hub``
client sends the user's huggingface.co token by default, and refusing it would break every
public download for logged-in users. Private and missing repos answer alike (401 or 404 with
``X-Error-Code: RepoNotFound``), so a private repo's existence is not revealed.
"""

from __future__ import annotations

import hmac
import os
import re
from pathlib import Path

from starlette.requests import Request

from .errors import Forbidden, RepoNotFound, ServerSetupError, Unauthorized
from .storage import RepoMeta

TOKENS_ENV = "GENZOO_HUB_TOKENS"
ROLES = ("read", "write")
MIN_TOKEN_LENGTH = 16
_TOKEN_RE = re.compile(r"[A-Za-z0-9._~+/=-]+", re.ASCII)
# The exact text the huggingface_hub client recognises as "bad token" (vs "repo not found").
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


def _parse_entry(entry: str, where: str) -> tuple[str, str]:
    token, sep, role = entry.rpartition(":")
    if not sep or role not in ROLES:
        raise ServerSetupError(f"{where}: expected 'token:role' with role read or write")
    check_token(token, where)
    return token, role


def check_token(token: str, where: str = "token") -> None:
    if not _TOKEN_RE.fullmatch(token) or len(token) < MIN_TOKEN_LENGTH:
        raise ServerSetupError(
            f"{where}: tokens need at least {MIN_TOKEN_LENGTH} characters from [A-Za-z0-9._~+/=-]"
            " (short tokens are guessable)"
        )


def load_tokens(token_file: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Read ``token -> role`` from ``token_file`` (if given) and ``$GENZOO_HUB_TOKENS``; env wins."""
    tokens: dict[str, str] = {}
    if token_file is not None:
        try:
            text = Path(token_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error.strerror or str(error)
            raise ServerSetupError(f"cannot read token file {token_file}: {reason}") from None
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if line and not line.startswith("#"):
                token, role = _parse_entry(line, f"{token_file}:{number}")
                tokens[token] = role
    for index, entry in enumerate(os.environ.get(TOKENS_ENV, "").replace(",", " ").split(), 1):
        token, role = _parse_entry(entry, f"${TOKENS_ENV} entry {index}")
        tokens[token] = role
    return tokens


class Authorizer:
    def __init__(self, tokens: dict[str, str] | None) -> None:
        self._tokens: list[tuple[bytes, str]] = []
        for token, role in (tokens or {}).items():
            check_token(token)
            if role not in ROLES:
                raise ServerSetupError(f"token role must be one of {ROLES}, got {role!r}")
            self._tokens.append((token.encode("ascii"), role))

    def _credentials(self, request: Request) -> tuple[bool, str | None]:
        """(a token was presented, its role if valid)."""
        header = request.headers.get("authorization")
        if header is None:
            return False, None
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer":
            return True, None
        presented_bytes = presented.strip().encode("utf-8", "replace")
        role = None
        for token, token_role in self._tokens:
            if hmac.compare_digest(token, presented_bytes):
                role = token_role
        return True, role

    def role(self, request: Request) -> str:
        """Role of a valid token, else 401 (for whoami)."""
        presented, role = self._credentials(request)
        if role is None:
            raise Unauthorized(INVALID_CREDENTIALS if presented else "authentication required")
        return role

    def require_write(self, request: Request) -> None:
        presented, role = self._credentials(request)
        if role is None:
            raise Unauthorized(INVALID_CREDENTIALS if presented else "a write token is required")
        if role != "write":
            raise Forbidden("this token is read-only")

    def check_read(self, request: Request, repo_id: str, meta: RepoMeta | None) -> None:
        """Allow reading ``repo_id``; a missing repo and a hidden private one answer the same."""
        if meta is not None and not meta.private:
            return
        _, role = self._credentials(request)
        if role is None:
            raise RepoNotFound(f"repository {repo_id} not found (private repos need a valid token)", status=401)
        if meta is None:
            raise RepoNotFound(f"repository {repo_id} not found")
