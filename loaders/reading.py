"""Reading the files of one load: every path's format told before anything is written, and each file read
so that what is wrong with it becomes a Reject, never a crash.

- `plan` tells the format of every path first; a path that cannot be read (empty, not gzip, not UTF-8,
  no format recognised) is a file-level Reject with its cause, and the other paths still load.
- `items` reads one file: a read error half-way (a truncated .gz) is a Reject naming the file and the
  cause, after the records read before it; a party name or identifier longer than `MAX_TEXT` characters
  is a Reject (it would go into the fulltext and identifier indexes).
- `Conflicts` notes a party stated twice in one file with a different name or country: the later
  statement is the one kept, so the load warns about it (for the first CONFLICT_KEYS parties of a file:
  a golden copy of millions would otherwise hold them all in memory).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ownergraph.graph.model import PartyRecord, StakeRecord
from ownergraph.loaders import files, formats
from ownergraph.loaders.csv_folder import FormatError
from ownergraph.loaders.records import Item, Reject

MAX_TEXT = 1000  # characters of a party name or an identifier
CONFLICT_KEYS = 250_000  # parties of one file whose values are remembered for the conflict check (~40 MB)
EXAMPLES = 5
READ_ERRORS = (*files.FILE_ERRORS, FormatError)


def plan(paths: list[Path], fmt: str = "auto") -> tuple[list[tuple[Path, str]], list[Reject]]:
    """(path, format) for each path that can be read, and a file-level Reject for each that cannot."""
    if fmt != "auto":
        formats.reader(fmt)  # an unknown format name fails here, before anything is read
    planned: list[tuple[Path, str]] = []
    unreadable: list[Reject] = []
    for path in paths:
        try:
            if path.is_file() and path.stat().st_size == 0:
                raise formats.UnknownFormat(f"{path}: empty file")
            planned.append((path, formats.detect(path) if fmt == "auto" else fmt))
        except formats.UnknownFormat as exc:
            unreadable.append(Reject(str(path), "file", f"cannot read the file: {exc}"))
        except READ_ERRORS as exc:
            unreadable.append(Reject(str(path), "file", f"cannot read the file: {path}: {files.problem(exc)}"))
    return planned, unreadable


@dataclass
class Conflicts:
    """Parties stated more than once in one file with differing names or countries."""

    count: int = 0
    examples: list[str] = field(default_factory=list)
    _seen: dict[int, tuple[int, str | None, str | None]] = field(default_factory=dict)

    def start_file(self) -> None:
        self._seen = {}

    def check(self, party: PartyRecord) -> None:
        key = hash(party.identifiers[0])
        name = hash(party.name) if party.name else 0
        if not (name or party.jurisdiction or party.headquarters):
            return
        known = self._seen.get(key)
        if known is None:
            if len(self._seen) < CONFLICT_KEYS:
                self._seen[key] = (name, _shared(party.jurisdiction), _shared(party.headquarters))
            return
        before_name, before_jurisdiction, before_headquarters = known
        changed = [label for label, old, new in (("name", before_name, name),
                                                 ("jurisdiction", before_jurisdiction, party.jurisdiction),
                                                 ("headquarters", before_headquarters, party.headquarters))
                   if old and new and old != new]
        if changed:
            self.count += 1
            if len(self.examples) < EXAMPLES:
                self.examples.append(f"{party.identifiers[0]}: {' and '.join(changed)} differ between two "
                                     f"records of {party.provenance.source}; the later "
                                     f"({party.provenance.record}) is kept")
        self._seen[key] = (name or before_name, _shared(party.jurisdiction) or before_jurisdiction,
                           _shared(party.headquarters) or before_headquarters)


def _shared(code: str | None) -> str | None:
    return sys.intern(code) if code else None


def items(path: Path, kind: str, conflicts: Conflicts | None = None) -> Iterator[Item]:
    """The records of one file; what cannot be read is a Reject, and reading stops only at a file error."""
    if conflicts is not None:
        conflicts.start_file()
    records = iter(formats.reader(kind)(path))
    count = 0
    while True:
        try:
            item = next(records)
        except StopIteration:
            return
        except READ_ERRORS as exc:
            yield _broken(path, count, files.problem(exc))
            return
        except RecursionError:
            yield _broken(path, count, "a record nested too deeply")
            return
        count += 1
        yield bounded(item, conflicts)


def _broken(path: Path, count: int, cause: str) -> Reject:
    if count == 0:
        return Reject(str(path), "file", f"cannot read the file: {cause}")
    return Reject(str(path), "file", f"cannot read the rest of the file (after {count:,} records): {cause}")


def bounded(item: Item, conflicts: Conflicts | None = None) -> Item:
    """The item, or a Reject when a name or identifier is longer than MAX_TEXT characters."""
    kind = item.__class__
    if kind is PartyRecord:  # the common cases, without building the list of texts
        party: PartyRecord = item  # type: ignore[assignment]
        if (party.name is None or len(party.name) <= MAX_TEXT) and \
                all(len(i) <= MAX_TEXT for i in party.identifiers):
            if conflicts is not None:
                conflicts.check(party)
            return party
    elif kind is StakeRecord:
        stake: StakeRecord = item  # type: ignore[assignment]
        if len(stake.owner) <= MAX_TEXT and len(stake.owned) <= MAX_TEXT:
            return stake
    elif kind is Reject:
        return item
    if isinstance(item, PartyRecord):
        texts = [("name", item.name or "")] + [("identifier", i) for i in item.identifiers]
    elif isinstance(item, StakeRecord):
        texts = [("owner", item.owner), ("owned", item.owned)]
    else:
        return item
    for label, text in texts:
        if len(text) > MAX_TEXT:
            return Reject(item.provenance.source, item.provenance.record,
                          f"{label} too long: {len(text):,} characters (at most {MAX_TEXT:,})", text[:200])
    if conflicts is not None and isinstance(item, PartyRecord):
        conflicts.check(item)
    return item
