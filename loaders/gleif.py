"""GLEIF data: LEI-CDF Level 1 records, RR-CDF Level 2 relationships and reporting exceptions.

Reads XML (the golden copy, streamed), JSON (arrays or JSON lines, GLEIF's element names as keys, the
three record types may be mixed in one file) and the golden copy CSV (by column name), plain, .gz or
.zip. What each record becomes is in `loaders.gleif_records`.

A relationship or exception may name an LEI whose Level 1 record is not part of the load: such a party
is written with its LEI only (kind `unknown`) just before the stake, so nothing is rejected as an unknown
party; a Level 1 record loaded later fills it in.

Provenance sources are `gleif-lei:<file>`, `gleif-rr:<file>` and `gleif-repex:<file>`; the record is the
LEI, "<child LEI> <relationship type> <parent LEI>", or "<LEI> <exception category>".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from ownergraph.graph.model import RecordError
from ownergraph.loaders import gleif_csv, gleif_records, gleif_xml
from ownergraph.loaders.files import FILE_ERRORS, head, iter_json, problem
from ownergraph.loaders.records import Item, Reject

XML_NAMESPACES = ("http://www.gleif.org/data/schema/leidata/", "http://www.gleif.org/data/schema/rr/",
                  "http://www.gleif.org/data/schema/repex/")
JSON_LEVEL1 = re.compile(r'"LEI"\s*:.*"Entity"\s*:|"Entity"\s*:.*"LEI"\s*:', re.S)
JSON_RELATIONSHIP = re.compile(r'"Relationship"\s*:\s*\{.*"StartNode"\s*:', re.S)
JSON_EXCEPTION = re.compile(r'"ExceptionCategory"\s*:')


def sniff(path: Path) -> bool:
    """Whether a file holds GLEIF records: its XML namespaces, JSON keys or golden copy CSV header."""
    if not path.is_file():
        return False
    start = head(path).lstrip()
    if start.startswith("<"):
        return any(ns in start for ns in XML_NAMESPACES)
    if start[:1] in "[{":
        return bool(JSON_EXCEPTION.search(start) or JSON_RELATIONSHIP.search(start) or JSON_LEVEL1.search(start))
    first_line = start.splitlines()[0] if start else ""
    header = [c.strip().strip('"') for c in first_line.split(",")]
    return gleif_csv.header_kind(header) is not None


def read(path: Path) -> Iterator[Item]:
    """Parties and stakes from a GLEIF file; a record that cannot be read is a Reject and the rest goes on."""
    start = head(path).lstrip()
    records: Iterator[tuple[str, str, str | None, dict] | Reject]
    if start.startswith("<"):
        records = gleif_xml.iter_records(path)
    elif start[:1] in "[{":
        records = _json(path)
    else:
        records = gleif_csv.iter_records(path)
    try:
        yield from _items(records)
    except FILE_ERRORS as exc:
        yield Reject(path.name, "file", f"unreadable file: {problem(exc)}")


def _json(path: Path) -> Iterator[tuple[str, str, str | None, dict] | Reject]:
    for item in iter_json(path):
        if isinstance(item, Reject):
            yield item
            continue
        name, location, obj = item
        wrapped = obj.get("records") if isinstance(obj, dict) else None
        batch: list = wrapped if isinstance(wrapped, list) else [obj]
        for i, record in enumerate(batch):
            where = location if len(batch) == 1 else f"{location} record {i}"
            yield name, where, kind_of(record), record


def kind_of(record: object) -> str | None:
    """LEIRecord, RelationshipRecord or Exception, from a JSON record's keys."""
    if not isinstance(record, dict):
        return None
    if "Relationship" in record:
        return "RelationshipRecord"
    if "ExceptionCategory" in record:
        return "Exception"
    if "LEI" in record and "Entity" in record:
        return "LEIRecord"
    return None


def _items(records: Iterator) -> Iterator[Item]:
    named: set[str] = set()  # LEIs with a party record in this file so far
    for item in records:
        if isinstance(item, Reject):
            yield item
            continue
        name, location, kind, record = item
        try:
            yield from _record(name, kind, record, named)
        except RecordError as exc:
            where = gleif_records.record_id(record) if isinstance(record, dict) else None
            if location:
                where = f"{location} ({where})" if where else location
            yield Reject(name, where or "record", str(exc), json.dumps(record, ensure_ascii=False, default=str)[:2000])


def _record(name: str, kind: str | None, record: dict, named: set[str]) -> Iterator[Item]:
    if kind == "LEIRecord":
        party = gleif_records.party(record, name)
        named.add(party.identifiers[0])
        yield party
    elif kind == "RelationshipRecord":
        stake = gleif_records.stake(record, name)
        for identifier in (stake.owner, stake.owned):
            if identifier not in named:
                named.add(identifier)
                yield gleif_records.mentioned(identifier.partition(":")[2], name)
        yield stake
    elif kind == "Exception":
        party = gleif_records.exception_party(record, name)
        named.add(party.identifiers[0])
        yield party
    else:
        raise RecordError("not a GLEIF record: no LEI and Entity, Relationship or ExceptionCategory")
