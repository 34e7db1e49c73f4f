"""One linear pass over an NDJSON commit body: file contents go from base64 straight to temp blobs.

The Hub's commit body is one JSON object per line, and a ``file`` line carries the whole file as
one base64 string. Buffering such a line and then calling ``json.loads`` and ``b64decode`` costs
about 3.5x the file size in memory, and the earlier line splitter rescanned its growing buffer for
every chunk (quadratic: 35 s for 200 MB). Here each byte is looked at a bounded number of times:

- short lines (up to 64 KiB, ``STREAM_AFTER_BYTES``) are buffered and parsed as JSON, as before;
- once a line grows past that, it must be a ``file`` operation whose ``"content"`` string starts
  within its first 64 KiB. The prefix is parsed with ``json.JSONDecoder.raw_decode`` up to that
  string; from there on, bytes up to the closing quote are base64-decoded in 4-character groups
  (strictly: alphabet, padding only at the end; JSON escapes are refused, no encoder needs them
  in base64) into a :class:`~genzoo_hub.blobs.BlobWriter`, which hashes them as they stream;
- the line's remaining bytes, with ``""`` in place of the content, are parsed as JSON at the end
  of the line, with duplicate keys refused, so the streamed string is exactly ``value.content``.

Decoded files stay temp blobs (:class:`PendingBlob`) until the caller accepts the whole commit,
so a rejected commit leaves nothing in the store.
"""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Callable

from .blobs import BlobStore, BlobWriter, PendingBlob
from .errors import BadRequest

STREAM_AFTER_BYTES = 64 << 10  # a line longer than this is streamed (a test lowers it to stream every file line)
MAX_LINE_HEAD_BYTES = 64 << 10  # a streamed line's bytes outside its content
_WS = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()

# (line number, key, value, decoded content of a "file" line) for each non-empty line.
OnOperation = Callable[[int, str, dict, PendingBlob | None], None]


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def parse_line(line: bytes, number: int) -> tuple[str, dict]:
    try:
        item = json.loads(line, object_pairs_hook=_no_duplicate_keys)
    except (ValueError, RecursionError):
        raise BadRequest(f"line {number} is not valid JSON (or repeats a key)") from None
    if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not isinstance(item.get("value"), dict):
        raise BadRequest(f"line {number} must be an object with a string 'key' and an object 'value'")
    return item["key"], item["value"]


def content_offset(prefix: bytes) -> int | None:
    """Byte offset of the opening quote of ``value.content`` in the start of a line, or None.

    Latin-1 maps bytes to characters one to one, so offsets in the text are offsets in the bytes;
    only the ASCII keys are compared, and the final parse checks everything in UTF-8.
    """
    text = prefix.decode("latin-1")

    def skip(i: int) -> int:
        return _WS.match(text, i).end()

    def members(i: int, inside_value: bool) -> int | None:
        """Walk an object's members from just after its '{' until value.content starts."""
        while True:
            i = skip(i)
            key, i = _DECODER.raw_decode(text, i)
            i = skip(i)
            if not isinstance(key, str) or text[i] != ":":
                return None
            i = skip(i + 1)
            if inside_value and key == "content" and text[i] == '"':
                return i
            if not inside_value and key == "value" and text[i] == "{":
                return members(i + 1, inside_value=True)
            _, i = _DECODER.raw_decode(text, i)
            i = skip(i)
            if text[i] != ",":
                return None
            i += 1

    try:
        start = skip(0)
        return members(start + 1, inside_value=False) if text[start] == "{" else None
    except (ValueError, IndexError, RecursionError):  # JSONDecodeError is a ValueError
        return None


class Base64Sink:
    """Strict, incremental base64 decoding into a blob writer."""

    def __init__(self, writer: BlobWriter, number: int) -> None:
        self.writer, self.number = writer, number
        self._carry = b""
        self._padded = False

    def feed(self, text: bytes | memoryview) -> None:
        if not text:
            return
        if self._padded:
            raise BadRequest(f"line {self.number}: base64 content continues after its padding")
        data = self._carry + bytes(text)
        usable = len(data) - len(data) % 4
        self._carry = data[usable:]
        if usable:
            try:
                self.writer.write(binascii.a2b_base64(data[:usable], strict_mode=True))
            except binascii.Error:
                raise BadRequest(f"line {self.number}: 'content' is not valid base64") from None
            self._padded = data[usable - 1 : usable] == b"="

    def finish(self) -> PendingBlob:
        if self._carry:
            raise BadRequest(f"line {self.number}: 'content' is not valid base64 (truncated)")
        return self.writer.finish()


class CommitBodyParser:
    """Feed body chunks in order (``feed``), then ``close``; ``on_operation`` sees each line.

    Every :class:`PendingBlob` produced is also kept in ``pending`` so that the caller can discard
    them all if anything (here or in ``on_operation``) rejects the commit.
    """

    def __init__(self, blobs: BlobStore, on_operation: OnOperation) -> None:
        self.blobs = blobs
        self.on_operation = on_operation
        self.pending: list[PendingBlob] = []
        self._line = bytearray()  # the current line, without any streamed content
        self._number = 0
        self._sink: Base64Sink | None = None  # set while inside a streamed content string
        self._streamed: PendingBlob | None = None  # the current line's streamed content, once closed

    def feed(self, chunk: bytes) -> None:
        view, pos = memoryview(chunk), 0
        while pos < len(chunk):
            if self._sink is not None:
                end = chunk.find(b'"', pos)
                stop = len(chunk) if end < 0 else end
                self._sink.feed(view[pos:stop])  # a JSON escape ('\\') fails as "not valid base64"
                if end < 0:
                    return
                self._streamed = self._sink.finish()
                self.pending.append(self._streamed)
                self._sink = None
                self._line += b'""'
                pos = end + 1
                continue
            newline = chunk.find(b"\n", pos)
            stop = len(chunk) if newline < 0 else newline
            self._line += view[pos:stop]
            if newline >= 0:
                self._end_line()
                pos = newline + 1
                continue
            pos = stop
            if len(self._line) > STREAM_AFTER_BYTES:
                self._try_streaming()

    def close(self) -> None:
        if self._sink is not None:
            raise BadRequest(f"line {self._number + 1}: the body ends inside a file's content")
        if self._line or self._streamed is not None:
            self._end_line()

    def discard(self) -> None:
        """Remove every temp blob of this body (after a rejection or a disconnect)."""
        if self._sink is not None:
            self._sink.writer.abort()
        for pending in self.pending:
            self.blobs.discard(pending)

    def _try_streaming(self) -> None:
        """Switch to streaming once the line's content string has started (wait while it may yet)."""
        number = self._number + 1
        if self._streamed is not None:
            if len(self._line) > MAX_LINE_HEAD_BYTES:
                raise BadRequest(f"line {number}: longer than {MAX_LINE_HEAD_BYTES} bytes outside its file content")
            return
        offset = content_offset(bytes(self._line[:MAX_LINE_HEAD_BYTES]))
        if offset is None:
            if len(self._line) > MAX_LINE_HEAD_BYTES:
                raise BadRequest(
                    f"line {number}: lines over {MAX_LINE_HEAD_BYTES} bytes must be 'file' operations whose "
                    f"'content' string starts within their first {MAX_LINE_HEAD_BYTES} bytes"
                )
            return
        rest = bytes(self._line[offset + 1 :])
        del self._line[offset:]
        self._sink = Base64Sink(self.blobs.writer(), number)
        self.feed(rest)

    def _end_line(self) -> None:
        self._number += 1
        line, self._line = bytes(self._line), bytearray()
        streamed, self._streamed = self._streamed, None
        if streamed is None and not line.strip():
            return
        key, value = parse_line(line, self._number)
        if key != "file":
            if streamed is not None:
                raise BadRequest(f"line {self._number}: only 'file' operations may carry content")
            self.on_operation(self._number, key, value, None)
            return
        if value.get("encoding") != "base64":
            raise BadRequest(f"line {self._number}: only base64-encoded file content is supported")
        content = value.get("content")
        if not isinstance(content, str) or (streamed is not None and content):
            raise BadRequest(f"line {self._number}: 'content' must be a string")
        if streamed is None:
            sink = Base64Sink(self.blobs.writer(), self._number)
            try:
                sink.feed(content.encode("ascii"))
                streamed = sink.finish()
            except UnicodeEncodeError:
                raise BadRequest(f"line {self._number}: 'content' is not valid base64") from None
            finally:
                sink.writer.abort()  # a no-op once finished
            self.pending.append(streamed)
        self.on_operation(self._number, key, value, streamed)
