"""BODS, the Beneficial Ownership Data Standard: 0.4 records and 0.2/0.3 statements, in one reader.

A file is a JSON array or JSON lines of statements (plain, .gz or .zip; a lone pretty-printed statement
too); versions may be mixed. Entity and person statements become parties (`loaders.bods_parties`), each
interest of a relationship or ownership-or-control statement a stake (`loaders.bods_interests`).
Provenance is `bods:<file>` with the 0.4 recordId, or the 0.2/0.3 statementID, as the record.

Statements about one record apply in the order of the file (`loaders.bods_history`): a later 0.4
statement with the same recordId updates the record, a closed relationship ends its interests, a closed
entity or person gets status "closed"; 0.2/0.3 `replacesStatements` is followed the same way. A
statement dated before the record's previous statement is rejected, as is a recordId reused for another
record type or a statement dated in the future. Histories are followed within a file: a statement in
another file that updates a 0.4 record updates the stakes it restates (same record id), but cannot end
the ones it leaves out.

An interest whose subject or interested party is unspecified gets a party of kind "unknown" of its own,
`bods:unspecified:<relationship>` (`bods:unspecified-subject:<relationship>` for a subject), named
after the description or reason given, so an explanation can say that the owner is undisclosed and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from ownergraph.graph.model import PartyRecord, Provenance, RecordError, StakeRecord
from ownergraph.graph.share import ShareError
from ownergraph.loaders import bods_fields as f
from ownergraph.loaders import bods_interests, bods_parties, files
from ownergraph.loaders.bods_history import History, Record, StakeKey, succession
from ownergraph.loaders.bods_parties import bods_id
from ownergraph.loaders.files import head, iter_json, open_texts
from ownergraph.loaders.records import Item, Reject

RECORD_TYPES = ("entity", "person", "relationship")
RECORD_STATUSES = ("new", "updated", "closed")
STATEMENT_TYPES = ("entityStatement", "personStatement", "ownershipOrControlStatement")
# statement fields with values (a JSON schema names the same fields, with objects as values)
V04_ID = re.compile(r'"recordId"\s*:\s*"')
V04_FIELDS = re.compile(r'"recordType"\s*:\s*"|"recordDetails"\s*:\s*\{')
LEGACY_ID = re.compile(r'"statementID"\s*:\s*"')
LEGACY_TYPE = re.compile(r'"statementType"\s*:\s*"')
FILE_ERRORS = files.FILE_ERRORS


def sniff(path: Path) -> bool:
    """Whether a file holds BODS statements: 0.4 record fields or 0.2/0.3 statement fields up front."""
    if not path.is_file():
        return False
    try:
        start = head(path, 65536).lstrip()
    except FILE_ERRORS:
        return False
    if start[:1] not in "[{":
        return False
    return bool((V04_ID.search(start) and V04_FIELDS.search(start))
                or (LEGACY_TYPE.search(start) and LEGACY_ID.search(start)))


def read(path: Path) -> Iterator[Item]:
    """Parties and stakes from a BODS file; a statement that cannot be read is a Reject, the rest goes on."""
    history = History()
    try:
        for found in _objects(path):
            if isinstance(found, Reject):
                yield found
                continue
            source, location, obj = found
            yield from _statement(obj, source, location, history)
        yield from history.replaced_ends()
    except FILE_ERRORS as exc:
        yield Reject(path.name, "file", f"unreadable file: {files.problem(exc)}")


def _statement(obj: object, source: str, location: str, history: History) -> list[Item]:
    def rejected(where: str, reason: str) -> list[Item]:
        return [Reject(source, where, reason, json.dumps(obj, ensure_ascii=False)[:1000])]

    if not isinstance(obj, dict):
        return rejected(location, "not a BODS statement: not a JSON object")
    if any(k in obj for k in ("recordId", "recordType", "recordDetails")):
        handler: Callable[[dict, str, History], list[Item]] = _record
        ident = obj.get("recordId")
        where = f"{location}, record {ident}" if isinstance(ident, str) and ident else location
    elif any(k in obj for k in ("statementID", "statementType")):
        handler = _legacy
        ident = obj.get("statementID")
        where = f"{location}, statement {ident}" if isinstance(ident, str) and ident else location
    else:
        return rejected(location, "not a BODS statement: neither recordType nor statementType")
    try:
        return handler(obj, source, history)
    except (RecordError, ShareError) as exc:
        return rejected(where, str(exc))
    except Exception as exc:  # noqa: BLE001 - a statement shaped as no check foresaw must not stop the load
        return rejected(where, f"unreadable statement: {type(exc).__name__}: {exc}")


def _record(obj: dict, source: str, history: History) -> list[Item]:
    """A BODS 0.4 statement."""
    record_id = f.need_text(obj, "recordId", "recordId")
    kind = f.need_code(obj, "recordType", "recordType", RECORD_TYPES)
    status = f.code(obj, "recordStatus", "recordStatus", RECORD_STATUSES)
    when = f.need_day(obj, "statementDate", "statementDate", full=True)
    _not_future(when, history.today)
    details = f.need_mapping(obj, "recordDetails", "recordDetails")
    known = history.records.get(record_id)
    if known and known.kind != kind:
        raise RecordError(f"recordId reused for another record type: {record_id} is an {known.kind} record, "
                          f"this statement makes it a {kind}")
    if known and known.date and when < known.date:
        raise RecordError(f"statement out of order: dated {when}, after a statement of {known.date} "
                          f"about the same record")
    provenance = Provenance(f"bods:{source}", record_id, when)
    closed = status == "closed"
    items: list[Item] = []
    current: dict[StakeKey, StakeRecord] = {}
    if kind in ("entity", "person"):
        build = bods_parties.entity if kind == "entity" else bods_parties.person
        items.append(build(details, (bods_id(record_id),), provenance, legacy=False,
                           status="closed" if closed else None))
    else:
        owned, subject_party = _reference(details, "subject", record_id, provenance, history)
        owner, owner_party = _reference(details, "interestedParty", record_id, provenance, history)
        items.extend(p for p in (subject_party, owner_party) if p)
        components = f.strings(details, "componentRecords", "recordDetails.componentRecords")
        stated = [] if closed and not details.get("interests") else bods_interests.stakes(
            details, owner, owned, provenance, legacy=False, components=components, base="recordDetails.")
        stakes, current = succession(known.stakes if known else {}, stated, when, closed)
        items.extend(stakes)
    history.records[record_id] = Record(kind, when, current)
    return items


def _reference(details: dict, role: str, record_id: str, provenance: Provenance,
               history: History) -> tuple[str, PartyRecord | None]:
    """The identifier of a 0.4 relationship's subject or interested party, and a party for an unspecified one."""
    path = f"recordDetails.{role}"
    value = details.get(role)
    if value is None:
        raise RecordError(f"missing field: {path}")
    if isinstance(value, str) and value.strip():
        known = history.records.get(value.strip())
        if known and role == "subject" and known.kind != "entity":
            raise RecordError(f"subject is not an entity: {path} names {value.strip()}, a {known.kind} record")
        if known and known.kind == "relationship":
            raise RecordError(f"interested party is a relationship: {path} names {value.strip()}")
        return bods_id(value.strip()), None
    if isinstance(value, dict):
        party_id = bods_id(f"unspecified{'-subject' if role == 'subject' else ''}:{record_id}")
        label = "subject" if role == "subject" else "interested party"
        return party_id, bods_parties.unspecified(value, party_id, provenance, path, legacy=False, role=label)
    raise RecordError(f"wrong type: {path} is neither a recordId nor an unspecified record")


def _legacy(obj: dict, source: str, history: History) -> list[Item]:
    """A BODS 0.2/0.3 statement (0.1 statements are read the same way)."""
    statement_id = f.need_text(obj, "statementID", "statementID")
    kind = f.need_code(obj, "statementType", "statementType", STATEMENT_TYPES)
    when = f.day(obj, "statementDate", "statementDate", full=False)
    _not_future(when, history.today)
    replaces = f.strings(obj, "replacesStatements", "replacesStatements")
    provenance = Provenance(f"bods:{source}", statement_id, when)
    root = history.root(replaces[0]) if replaces else statement_id
    if kind != "ownershipOrControlStatement":
        digest = hash(json.dumps(obj, sort_keys=True))
        if history.digests.get(statement_id, digest) != digest:
            raise RecordError(f"duplicate statementID: {statement_id} already describes another party in this file")
        build = bods_parties.entity if kind == "entityStatement" else bods_parties.person
        own_ids = tuple(bods_id(i) for i in (statement_id, *replaces))
        party = build(obj, own_ids, provenance, legacy=True)
        history.digests[statement_id] = digest
        history.roots.setdefault(statement_id, root)
        history.statements[statement_id] = Record("person" if kind == "personStatement" else "entity", when)
        return [party]
    items: list[Item] = []
    subject = f.need_mapping(obj, "subject", "subject")
    owned_ref = f.text(subject, "describedByEntityStatement", "subject.describedByEntityStatement")
    if owned_ref:
        known = history.statements.get(owned_ref)
        if known and known.kind != "entity":
            raise RecordError(f"subject is not an entity: subject names {owned_ref}, a {known.kind} statement")
        owned = bods_id(owned_ref)
    elif f.mapping(subject, "unspecified", "subject.unspecified") is not None:
        owned = bods_id(f"unspecified-subject:{root}")
        items.append(bods_parties.unspecified(subject["unspecified"], owned, provenance, "subject.unspecified",
                                              legacy=True, role="subject"))
    else:
        raise RecordError("missing field: subject.describedByEntityStatement")
    interested = f.need_mapping(obj, "interestedParty", "interestedParty")
    owner_ref = (f.text(interested, "describedByEntityStatement", "interestedParty.describedByEntityStatement")
                 or f.text(interested, "describedByPersonStatement", "interestedParty.describedByPersonStatement"))
    if owner_ref:
        owner = bods_id(owner_ref)
    elif f.mapping(interested, "unspecified", "interestedParty.unspecified") is not None:
        owner = bods_id(f"unspecified:{root}")
        items.append(bods_parties.unspecified(interested["unspecified"], owner, provenance,
                                              "interestedParty.unspecified", legacy=True, role="interested party"))
    else:
        raise RecordError("missing field: interestedParty has no describedByEntityStatement, "
                          "describedByPersonStatement or unspecified")
    components = f.strings(obj, "componentStatementIDs", "componentStatementIDs")
    stakes = bods_interests.stakes(obj, owner, owned, provenance, legacy=True, components=components, base="")
    items.extend(stakes)
    record = history.statements.setdefault(statement_id, Record("relationship", when))
    record.stakes.update((history.legacy_key(s), s) for s in stakes)
    history.roots.setdefault(statement_id, root)
    history.replace_statements(replaces, statement_id, when)
    return items


def _not_future(when: date | None, today: date) -> None:
    if when and when > today + timedelta(days=1):
        raise RecordError(f"statement date in the future: {when}")


def _objects(path: Path) -> Iterator[tuple[str, str, object] | Reject]:
    """The JSON objects of a file: an array or JSON lines, or one (or more) pretty-printed objects."""
    first_line = head(path).lstrip().split("\n", 1)[0].strip()
    if first_line != "{":
        yield from iter_json(path)
        return
    for name, handle in open_texts(path):
        yield from files.objects(name, handle, array=False)
