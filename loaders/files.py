"""Opening source files: plain, .gz or .zip; JSON arrays or JSON lines; line numbers kept.

Text is UTF-8 (a UTF-8 or UTF-16 byte-order mark is honoured). Bytes that are not UTF-8 do not stop a
read: they are kept as surrogate escapes (`undecodable` finds them) so the reader rejects the one record
that holds them and goes on. A file that cannot be read on (not gzip, truncated, corrupt) raises one of
FILE_ERRORS, which `problem` puts in words. One JSON record (a line, or an item of an array) is at most
`record_limit` characters; a longer one is rejected and skipped, so a file without line breaks
(`/dev/zero`) cannot fill the memory.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import IO, Any, cast

import orjson

from ownergraph.loaders.records import Reject

FILE_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, UnicodeError)
DEFAULT_RECORD_LIMIT = 8 * 2**20
# characters one JSON record (a line, or an item of an array) may hold; `run.load` sets it for a load
record_limit: ContextVar[int] = ContextVar("record_limit", default=DEFAULT_RECORD_LIMIT)
UNDECODABLE = re.compile("[\udc80-\udcff]")
# orjson reads a record unless json must decide: bytes that are not UTF-8 (kept as surrogate escapes: the
# record is rejected saying which), a run of 19 digits or more (orjson reads an integer beyond 64 bits as a
# float), or more brackets than json nests (it stops at the recursion limit, orjson at 1024 levels)
DIGITS = bytes(49 if 48 <= b <= 57 else 32 for b in range(256))  # a digit becomes "1", anything else " "
DIGIT_RUN = b"1" * 19
ORJSON_BRACKETS = 900
CHUNK = 1 << 20
SKIP_LIMIT = 16  # an over-long line is skipped up to this many times the limit, then the file is given up


class LineTooLong(OSError):
    """A line longer than `record_limit` characters in a file read line by line (CSV)."""


def lines(handle: io.TextIOBase) -> Iterator[str]:
    """The lines of a text stream, each at most `record_limit` characters (else LineTooLong)."""
    limit = record_limit.get()
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(("\n", "\r")):
            raise LineTooLong(f"a line longer than {limit:,} characters")
        yield line


def undecodable(text: str) -> str | None:
    """Why a text read from a file is not UTF-8 (the first byte that is not), or None when it is."""
    found = UNDECODABLE.search(text)
    if found is None:
        return None
    byte = ord(found.group()) - 0xDC00
    return f"not UTF-8: byte 0x{byte:02X} at character {found.start() + 1} (convert the file to UTF-8)"


def problem(exc: BaseException) -> str:
    """The cause of a file read error, in words."""
    if isinstance(exc, gzip.BadGzipFile):
        return f"not a gzip file, though named .gz ({exc})"
    if isinstance(exc, EOFError):
        return "truncated: the compressed data ends before its end marker"
    if isinstance(exc, zlib.error):
        return f"corrupt compressed data ({exc})"
    if isinstance(exc, zipfile.BadZipFile):
        return f"not a readable zip file ({exc})"
    if isinstance(exc, UnicodeError):
        return f"cannot be decoded ({exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _binaries(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """(name, byte stream) for a plain or .gz file, or for each member of a .zip."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if not member.endswith("/"):
                    with archive.open(member) as raw:
                        yield f"{path.name}!{member}", raw
        return
    with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as handle:
        yield path.name, handle  # type: ignore[misc]


def open_binaries(path: Path) -> Iterator[tuple[str, IO[bytes]]]:
    """Byte streams (decompressed) for readers that decode themselves, e.g. XML with its declaration."""
    yield from _binaries(path)


def open_texts(path: Path) -> Iterator[tuple[str, io.TextIOBase]]:
    """(name, text stream) for a plain or .gz file, or for each member of a .zip."""
    for name, raw in _binaries(path):
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
        start = buffered.peek(4)[:4]
        encoding = "utf-16" if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
        yield name, io.TextIOWrapper(buffered, encoding=encoding, errors="surrogateescape", newline="")


def head(path: Path, size: int = 4096) -> str:
    """The first characters of a file (decompressed; the first member of a zip), for format detection."""
    try:
        for _, handle in open_texts(path):
            return handle.read(size)
    except FILE_ERRORS:
        return ""
    return ""


def diagnose(path: Path) -> str | None:
    """Why a file's format cannot be told, when the cause is the file itself (empty, not readable, not
    UTF-8); None when it reads as text."""
    if path.is_dir():
        return None
    try:
        if path.is_file() and path.stat().st_size == 0:
            return "empty file"
        for _, handle in open_texts(path):
            start = handle.read(4096)
            if not start.strip():
                return "empty file (nothing but blanks)" if start else "empty file (once decompressed)"
            if "\x00" in start:
                return "holds NUL bytes: binary data, or UTF-16 without a byte-order mark (convert it to UTF-8)"
            bad = undecodable(start)
            if bad:
                return bad
            return None
    except FILE_ERRORS as exc:
        return problem(exc)
    return "empty archive"


def iter_json(path: Path) -> Iterator[tuple[str, str, object] | Reject]:
    """Each JSON object of a file holding a JSON array or JSON lines, as (source, location, object).

    JSON lines are read one line at a time (constant memory); a line that does not parse, is not UTF-8,
    is nested too deeply or is longer than `record_limit` is a Reject and the rest goes on. A JSON array
    is read item by item the same way; if it breaks off (a truncated file), the items before the break
    are still yielded and the break is a Reject.
    """
    for name, handle in open_texts(path):
        if _first_char(handle) == "[":
            yield from objects(name, handle, array=True)
        else:
            yield from _lines(name, handle)


def _lines(name: str, handle: io.TextIOBase) -> Iterator[tuple[str, str, object] | Reject]:
    limit = record_limit.get()
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(("\n", "\r")):
            skipped = len(line)
            while line and not line.endswith(("\n", "\r")) and skipped < SKIP_LIMIT * limit:  # skip the rest
                line = handle.readline(CHUNK)
                skipped += len(line)
            yield Reject(name, f"line {number}", f"record too long: more than {limit:,} characters")
            if line and not line.endswith(("\n", "\r")):
                yield Reject(name, "file", "the rest of the file is not read: no line break in the "
                                           f"{skipped:,} characters of line {number}")
                return
            continue
        if not line.strip():
            continue
        yield parsed(name, f"line {number}", line)


def parsed(name: str, location: str, text: str) -> tuple[str, str, object] | Reject:
    """One JSON record, or the Reject saying why it cannot be read.

    orjson reads it when it can (several times faster); what orjson refuses (NaN, Infinity, 1e400, a lone
    surrogate escape, malformed JSON) is read again by json, which gives the value or the reason it always did.
    """
    try:
        data = text.encode()  # fails on a surrogate escape: json's path says which byte is not UTF-8
    except UnicodeEncodeError:
        data = b""
    if data and DIGIT_RUN not in data.translate(DIGITS) and data.count(b"[") + data.count(b"{") <= ORJSON_BRACKETS:
        try:
            return name, location, orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    bad = undecodable(text)
    if bad:
        return Reject(name, location, bad, text[:500])
    try:
        return name, location, json.loads(text)
    except json.JSONDecodeError as exc:
        return Reject(name, location, f"malformed JSON: {exc.msg}", text[:500])
    except RecursionError:
        return Reject(name, location, "JSON nested too deeply", text[:500])


def _first_char(handle: io.TextIOBase) -> str:
    # peek without consuming: at the bytes under the text (open_texts), else read a block and rewind
    buffer = getattr(handle, "buffer", None)
    if isinstance(buffer, io.BufferedReader):
        return buffer.peek(256)[:256].decode(getattr(handle, "encoding", "utf-8"), errors="ignore").lstrip()[:1]
    position = handle.tell() if handle.seekable() else None
    block = handle.read(64)
    stripped = block.lstrip()
    if position is not None:
        handle.seek(position)
        return stripped[:1]
    raise ValueError("stream is not seekable")


class _Buffer:
    """A window on a text stream: `text[index:]` is what is not read yet; `more()` appends a block."""

    def __init__(self, handle: io.TextIOBase) -> None:
        self.handle, self.text, self.index, self.lines, self.ended = handle, "", 0, 0, False

    def more(self) -> bool:
        if self.ended:
            return False
        block = self.handle.read(CHUNK)
        if not block:
            self.ended = True
            return False
        if self.index > CHUNK:  # drop what is read, counting its lines
            self.lines += self.text.count("\n", 0, self.index)
            self.text, self.index = self.text[self.index:], 0
        self.text += block
        return True

    def line_at(self, position: int) -> int:
        return self.lines + self.text.count("\n", 0, position) + 1

    def skip_blanks(self) -> bool:
        """Move past blanks and commas; False at the end of the stream."""
        while True:
            while self.index < len(self.text) and self.text[self.index] in " \t\r\n,":
                self.index += 1
            if self.index < len(self.text):
                return True
            if not self.more():
                return False

    def skip_value(self) -> None:
        """Move past one JSON value without parsing it (one too long or nested too deeply to parse)."""
        depth, in_string = 0, False
        special = re.compile(r'["\\\[\]{},]')
        while True:
            found = special.search(self.text, self.index)
            if found is None:
                self.index = len(self.text)
                if not self.more():
                    return
                continue
            char, self.index = found.group(), found.end()
            if in_string:
                if char == '"':
                    in_string = False
                    if depth == 0:
                        return
                elif char == "\\":
                    if self.index >= len(self.text):
                        self.more()
                    self.index += 1  # the escaped character
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            elif char in "]}" and depth > 0:
                depth -= 1
                if depth == 0:
                    return
            elif depth == 0:  # a scalar ends at the comma or bracket after it: leave that to the caller
                self.index -= 1
                return


def objects(name: str, handle: io.TextIOBase, array: bool) -> Iterator[tuple[str, str, object] | Reject]:
    """The items of a JSON array, or a sequence of (pretty-printed) JSON values, read a block at a time:
    memory holds one item and a block, whatever the size of the file."""
    limit = record_limit.get()
    decoder = json.JSONDecoder()
    buffer = _Buffer(handle)
    buffer.more()
    if array:
        buffer.index = buffer.text.index("[") + 1
    count = 0
    while True:
        if not buffer.skip_blanks():
            if array:
                yield Reject(name, f"item {count} (line {buffer.line_at(len(buffer.text))})",
                             "malformed JSON: the file ends before the array is closed")
            return
        index, text = buffer.index, buffer.text
        if array and text[index] == "]":
            return
        where = f"item {count}"
        try:
            obj, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            if len(text) - index > limit:
                yield Reject(name, f"{where} (line {buffer.line_at(index)})",
                             f"record too long: more than {limit:,} characters")
                buffer.skip_value()
                count += 1
                continue
            if buffer.more():
                continue  # the item goes on in the next block
            yield Reject(name, f"{where} (line {buffer.line_at(exc.pos)})", f"malformed JSON: {exc.msg}",
                         text[exc.pos:exc.pos + 300])
            return
        except RecursionError:
            yield Reject(name, f"{where} (line {buffer.line_at(index)})", "JSON nested too deeply",
                         text[index:index + 300])
            buffer.skip_value()
            count += 1
            continue
        if end - index > limit:
            yield Reject(name, f"{where} (line {buffer.line_at(index)})",
                         f"record too long: more than {limit:,} characters")
        elif UNDECODABLE.search(text, index, end):
            yield Reject(name, where, undecodable(text[index:end]) or "", text[index:index + 500])
        else:
            yield name, where, obj
        buffer.index = end
        count += 1
