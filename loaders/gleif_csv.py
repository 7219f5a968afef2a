"""GLEIF golden copy CSV files (LEI2, RR, repex), read by column name.

The golden copy CSV flattens the XML: element paths joined with ".", repeated elements numbered
(`Entity.LegalAddress.AdditionalAddressLine.1`), attributes as a suffix (`Entity.LegalName.xmllang`).
Each row is folded back into the nested dict of GLEIF's JSON, so the same mapping reads XML, JSON and
CSV. Columns are found by name, never by position; unknown columns are ignored.

The RR and repex CSVs name a few things differently from the XML; those names are translated:
`Relationship.Period.N.startDate` -> `RelationshipPeriods[N].StartDate`, `Relationship.Qualifiers`,
`Relationship.Quantifiers`, and `Exception.Category` / `Exception.Reason.N` / `Exception.Reference`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ownergraph.loaders.files import lines, open_texts, undecodable
from ownergraph.loaders.records import Reject

ATTRIBUTES = {"xmllang", "type", "field_xpath", "group_type", "group_id", "group_sequence_no", "event_status"}

# the header columns that tell a golden copy CSV, by the kind of record its rows hold
KIND_COLUMNS = {
    "LEIRecord": ("LEI", "Entity.LegalName"),
    "RelationshipRecord": ("Relationship.StartNode.NodeID", "Relationship.EndNode.NodeID"),
    "Exception": ("LEI", "Exception.Category"),
}

RR_RENAMES = {"Period": "RelationshipPeriods", "Qualifiers": "RelationshipQualifiers",
              "Quantifiers": "RelationshipQuantifiers"}
PERIOD_RENAMES = {"startDate": "StartDate", "endDate": "EndDate", "periodType": "PeriodType"}


def header_kind(header: list[str]) -> str | None:
    columns = set(header)
    for kind, needed in KIND_COLUMNS.items():
        if all(c in columns for c in needed):
            return kind
    return None


def unflatten(row: dict[str, str]) -> dict:
    """A flattened row as a nested dict; numbered parts become lists; attribute columns are dropped."""
    out: dict = {}
    for column, value in row.items():
        if column is None or value is None or not value.strip():
            continue
        parts = column.split(".")
        if len(parts) > 1 and parts[-1] in ATTRIBUTES:
            continue
        _put(out, parts, value.strip())
    nested = _lists(out)
    return nested if isinstance(nested, dict) else {}


def _put(node: dict, parts: list[str], value: str) -> None:
    for part in parts[:-1]:
        child = node.get(part)
        if isinstance(child, str):
            return  # a leaf already holds this path's text
        if child is None:
            child = node[part] = {}
        node = child
    if not isinstance(node.get(parts[-1]), dict):
        node[parts[-1]] = value


def _lists(node: object) -> object:
    """Dicts keyed "1", "2", ... become lists in that order."""
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _as_json_shape(kind: str, record: dict) -> dict:
    if kind == "RelationshipRecord":
        relation = record.get("Relationship")
        if isinstance(relation, dict):
            for old, new in RR_RENAMES.items():
                if old in relation:
                    relation[new] = relation.pop(old)
            periods = relation.get("RelationshipPeriods")
            if isinstance(periods, dict):
                periods = [periods]
            if isinstance(periods, list):
                relation["RelationshipPeriods"] = [
                    {PERIOD_RENAMES.get(k, k): v for k, v in p.items()} for p in periods if isinstance(p, dict)]
    elif kind == "Exception":
        exception = record.pop("Exception", None)
        if isinstance(exception, dict):
            for part in ("Category", "Reason", "Reference"):
                if part in exception:
                    record[f"Exception{part}"] = exception[part]
    return record


def iter_records(path: Path) -> Iterator[tuple[str, str, str, dict] | Reject]:
    """(file name, location, record kind, record) for each row of a golden copy CSV."""
    for name, handle in open_texts(path):
        reader = csv.reader(lines(handle))
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            yield Reject(name, "line 1", "empty file: no header row")
            continue
        except csv.Error as exc:
            yield Reject(name, "line 1", f"malformed CSV: {exc}")
            continue
        kind = header_kind(header)
        if kind is None:
            yield Reject(name, "line 1", "not a GLEIF golden copy CSV: no LEI and Entity.LegalName, "
                                         "Relationship.StartNode.NodeID or Exception.Category columns")
            continue
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield Reject(name, f"line {reader.line_num}", f"malformed CSV: {exc}")
                continue
            if not any(f.strip() for f in fields):
                continue
            location = f"line {reader.line_num}"
            bad = undecodable(",".join(fields))
            if bad:
                yield Reject(name, location, bad, ",".join(fields)[:500])
                continue
            if len(fields) != len(header):
                yield Reject(name, location, f"wrong number of fields: {len(fields)} where the header has "
                                             f"{len(header)}", ",".join(fields)[:500])
                continue
            yield name, location, kind, _as_json_shape(kind, unflatten(dict(zip(header, fields))))
