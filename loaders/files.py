"""Opening source files: plain, .gz or .zip; JSON arrays or JSON lines; line numbers kept."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ownergraph.loaders.records import Reject


def open_texts(path: Path) -> Iterator[tuple[str, io.TextIOBase]]:
    """(name, text stream) for a plain or .gz file, or for each member of a .zip."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith("/"):
                    continue
                with archive.open(member) as raw:
                    yield f"{path.name}!{member}", io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        yield path.name, handle


def head(path: Path, size: int = 4096) -> str:
    """The first characters of a file (decompressed; the first member of a zip), for format detection."""
    for _, handle in open_texts(path):
        try:
            return handle.read(size)
        except (UnicodeDecodeError, EOFError, OSError, zipfile.BadZipFile):
            return ""
    return ""


def iter_json(path: Path) -> Iterator[tuple[str, str, object] | Reject]:
    """Each JSON object of a file holding a JSON array or JSON lines, as (source, location, object).

    JSON lines are read one line at a time (constant memory); a line that does not parse is a Reject and
    the rest goes on. A JSON array is parsed whole; if it does not parse (a truncated file), the objects
    before the break are still yielded and the break is a Reject.
    """
    for name, handle in open_texts(path):
        first = _first_char(handle)
        if first == "[":
            yield from _array(name, handle)
        else:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield name, f"line {number}", json.loads(line)
                except json.JSONDecodeError as exc:
                    yield Reject(name, f"line {number}", f"malformed JSON: {exc.msg}", line[:500])


def _first_char(handle: io.TextIOBase) -> str:
    # peek without consuming: read a small block, then rewind where possible
    position = handle.tell() if handle.seekable() else None
    block = handle.read(64)
    stripped = block.lstrip()
    if position is not None:
        handle.seek(position)
        return stripped[:1]
    raise ValueError("stream is not seekable")


def _array(name: str, handle: io.TextIOBase) -> Iterator[tuple[str, str, object] | Reject]:
    text = handle.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        decoder = json.JSONDecoder()
        index = text.index("[") + 1
        count = 0
        while True:
            while index < len(text) and text[index] in " \t\r\n,":
                index += 1
            if index >= len(text) or text[index] == "]":
                break
            try:
                obj, index = decoder.raw_decode(text, index)
            except json.JSONDecodeError as inner:
                line = text.count("\n", 0, inner.pos) + 1
                yield Reject(name, f"item {count} (line {line})", f"malformed JSON: {inner.msg}", text[inner.pos:inner.pos + 300])
                return
            yield name, f"item {count}", obj
            count += 1
        if count == 0:
            yield Reject(name, "file", f"malformed JSON: {exc.msg}")
        return
    if not isinstance(data, list):
        data = [data]
    for i, obj in enumerate(data):
        yield name, f"item {i}", obj
