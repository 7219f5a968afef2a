"""The simple CSV format of SPEC.md §5: a folder with entities.csv and ownership.csv.

A CSV id of the form `scheme:value` (e.g. `LEI:5493...`, `GB-COH:01234567`) is taken as that
identifier, so CSV rows meet registry data about the same party; any other id becomes `csv:<id>`.
A `lists` entry may carry its period, `name@START..END` (a dated membership); one without is a
membership without dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from ownergraph.graph import identifiers
from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.model import PartyRecord, Provenance, RecordError, StakeRecord
from ownergraph.loaders import values
from ownergraph.loaders.files import lines, undecodable
from ownergraph.loaders.records import Item, Reject

KINDS = {"company", "person", "state", "trust", "fund"}
ENTITY_COLUMNS = {"id"}
OWNERSHIP_COLUMNS = {"owner", "owned"}


class FormatError(OwnergraphError, ValueError):
    """A file that cannot be read at all (no header, missing required columns)."""

    status = 422


def identifier(raw: str) -> str:
    text = raw.strip()
    scheme, sep, value = text.partition(":")
    if sep and scheme and value and " " not in scheme:
        return identifiers.make(scheme, value)
    return f"csv:{text}"


def files(path: Path) -> tuple[Path | None, Path | None]:
    if path.is_dir():
        ent, own = path / "entities.csv", path / "ownership.csv"
        return (ent if ent.exists() else None), (own if own.exists() else None)
    if path.name == "entities.csv":
        return path, None
    if path.name == "ownership.csv":
        return None, path
    raise FormatError(f"{path}: expected a folder with entities.csv and ownership.csv")


def read(path: Path, opener: Callable[[Path], io.TextIOBase] | None = None) -> Iterator[Item]:
    """Yield parties from entities.csv, then stakes from ownership.csv."""
    entities, ownership = files(path)
    if entities is None and ownership is None:
        raise FormatError(f"{path}: neither entities.csv nor ownership.csv is there")
    # bytes that are not UTF-8 reject their row (files.undecodable), not the rest of the file
    open_ = opener or (lambda p: open(p, newline="", encoding="utf-8-sig", errors="surrogateescape"))
    if entities is not None:
        yield from _rows(entities, open_, ENTITY_COLUMNS, _party)
    if ownership is not None:
        yield from _rows(ownership, open_, OWNERSHIP_COLUMNS, _stake)


def _rows(path: Path, open_, required: set[str], build) -> Iterator[Item]:
    source = f"{path.parent.name}/{path.name}"
    with open_(path) as handle:
        reader = csv.reader(lines(handle))
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise FormatError(f"{path}: empty file, no header row") from None
        except csv.Error as exc:
            raise FormatError(f"{path}: unreadable header: {exc}") from None
        missing = required - set(header)
        if missing:
            raise FormatError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Reject(source, f"line {reader.line_num}", f"malformed CSV: {exc}")
                continue
            line = reader.line_num
            raw = ",".join(fields)
            if not raw.replace(",", "").strip() and not any(f.strip() for f in fields):
                continue
            bad = undecodable(raw)
            if bad:
                yield Reject(source, f"line {line}", bad, raw)
                continue
            if len(fields) != len(header):
                yield Reject(source, f"line {line}",
                             f"wrong number of fields: {len(fields)} where the header has {len(header)}", raw)
                continue
            row = dict(zip(header, fields))
            try:
                yield build(row, Provenance(source, f"line {line}"))
            except RecordError as exc:
                yield Reject(source, f"line {line}", str(exc), raw)


def _party(row: dict, prov: Provenance) -> PartyRecord:
    if not row.get("id", "").strip():
        raise RecordError("missing id")
    kind = (row.get("kind") or "company").strip().lower() or "company"
    memberships = [values.listing(e) for e in values.split_list(row.get("lists"))]
    if kind not in KINDS:
        raise RecordError(f"unknown kind: {kind!r} (expected company, person, state, trust or fund)")
    return PartyRecord(
        identifiers=(identifier(row["id"]),),
        provenance=prov,
        name=(row.get("name") or "").strip() or None,
        kind=kind,
        jurisdiction=values.jurisdiction(row.get("jurisdiction")),
        headquarters=values.country(row.get("headquarters"), "headquarters"),
        nationalities=tuple(c for n in values.split_list(row.get("nationality")) if (c := values.country(n, "nationality"))),
        lists=tuple(m.name for m in memberships if m.start is None and m.end is None),
        listings=tuple(m for m in memberships if m.start is not None or m.end is not None),
    )


def _stake(row: dict, prov: Provenance) -> StakeRecord:
    owner, owned = row.get("owner", "").strip(), row.get("owned", "").strip()
    if not owner or not owned:
        raise RecordError("missing owner or owned")
    source = (row.get("source") or "").strip()
    provenance = Provenance(f"{prov.source} ({source})" if source else prov.source, prov.record)
    return StakeRecord(
        owner=identifier(owner),
        owned=identifier(owned),
        provenance=provenance,
        interest=(row.get("interest") or "").strip() or "shareholding",
        share=values.share(row.get("share"), row.get("share_min"), row.get("share_max")),
        start=values.iso_date(row.get("start"), "start"),
        end=values.iso_date(row.get("end"), "end"),
    )


def sniff(path: Path) -> bool:
    try:
        entities, ownership = files(path)
    except FormatError:
        return False
    return entities is not None or ownership is not None
