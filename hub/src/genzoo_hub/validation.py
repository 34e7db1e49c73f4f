"""Validation of every client-supplied name before it is used as a key or a file-system path.

Storage is content-addressed, so file paths inside a repo are only dictionary keys; repo ids and
branch names, however, become directory names and JSON keys. All three are validated here with
allow-lists, after exactly one round of percent-decoding (done by the router); file paths are also
checked under further decoding, so that multiply-encoded traversal (``%252e%252e``) cannot become
``..`` in any downstream tool that decodes again.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from .errors import BadRequest

COMMIT_ID_RE = re.compile(r"[0-9a-f]{40}")
_REPO_PART_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?", re.ASCII)
_BRANCH_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]*", re.ASCII)
MAX_REPO_ID_LENGTH = 96
MAX_PATH_BYTES = 1024
MAX_BRANCH_LENGTH = 255


def validate_repo_id(namespace: object, name: object) -> str:
    """Return ``namespace/name`` if both parts follow the Hugging Face Hub rules, else raise.

    Rules: ASCII letters, digits, ``.``, ``_``, ``-``; must not start with ``.``/``-`` or end
    with ``.``/``-``; no ``--`` or ``..``; no ``.git`` suffix; at most 96 characters in total.
    """
    for part in (namespace, name):
        if not isinstance(part, str) or not _REPO_PART_RE.fullmatch(part):
            raise BadRequest(f"invalid repo id part {part!r}: use letters, digits, '.', '_' or '-'")
        if "--" in part or ".." in part:
            raise BadRequest(f"invalid repo id part {part!r}: '--' and '..' are not allowed")
    repo_id = f"{namespace}/{name}"
    if len(repo_id) > MAX_REPO_ID_LENGTH or repo_id.endswith(".git"):
        raise BadRequest(f"invalid repo id {repo_id!r}: at most {MAX_REPO_ID_LENGTH} characters, no '.git' suffix")
    return repo_id


def _decodings(segment: str) -> list[str]:
    """What ``segment`` becomes under repeated percent-decoding (until stable, at most 8 rounds)."""
    found = []
    for _ in range(8):
        decoded = unquote(segment)
        if decoded == segment:
            break
        found.append(decoded)
        segment = decoded
    return found


def validate_path(path: object) -> str:
    """Return ``path`` if it is a safe relative POSIX path inside a repo, else raise.

    Rejected: non-strings, empty paths, more than 1024 UTF-8 bytes, control characters (NUL
    included) and invisible formatting ones (bidi overrides that disguise names), backslashes,
    absolute paths, empty / ``.`` / ``..`` / ``.git`` segments, segments that become ``.``/``..``
    or gain a separator under further percent-decoding, and lone surrogates.
    """
    if not isinstance(path, str) or not path:
        raise BadRequest("file path must be a non-empty string")
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadRequest("file path is not valid UTF-8") from None
    if size > MAX_PATH_BYTES:
        raise BadRequest(f"file path longer than {MAX_PATH_BYTES} bytes")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in path):
        raise BadRequest("file path contains control or invisible formatting characters")
    if "\\" in path:
        raise BadRequest("file path contains a backslash")
    for segment in path.split("/"):
        if segment in ("", ".", "..") or any(d in (".", "..") or "/" in d or "\\" in d for d in _decodings(segment)):
            raise BadRequest(f"file path {path!r} has an empty, '.', '..' or encoded-separator segment")
        if segment == ".git":
            raise BadRequest("file paths inside '.git' are not allowed")
    return path


def validate_branch(branch: object) -> str:
    """Return ``branch`` if it is an acceptable branch name (git-like, stricter), else raise.

    A 40-hex string is refused as a branch name so that it can never shadow a commit id.
    """
    if (
        not isinstance(branch, str)
        or len(branch) > MAX_BRANCH_LENGTH
        or not _BRANCH_RE.fullmatch(branch)
        or ".." in branch
        or "//" in branch
        or branch.endswith(("/", ".", ".lock"))
        or COMMIT_ID_RE.fullmatch(branch)
    ):
        raise BadRequest(f"invalid branch name {branch!r}")
    return branch


def validate_revision(revision: object) -> str:
    """Return ``revision`` if it is a commit id or a valid branch name, else raise."""
    if isinstance(revision, str) and COMMIT_ID_RE.fullmatch(revision):
        return revision
    return validate_branch(revision)
