"""GLEIF XML files (LEI-CDF, RR-CDF, reporting exceptions), streamed record by record.

Each record element becomes the same nested dict that GLEIF's JSON uses (element names without their
namespace; a repeated element becomes a list; a leaf becomes its text), so one mapping serves both.
The header's ContentDate is added to each record that has none (GLEIF's JSON repeats it per
record). Records are handed on as soon as their closing tag is read and are then dropped, so a golden
copy of millions of records is read in constant memory. A file that breaks off (truncated, not well formed)
yields the records before the break and then a Reject naming the line and column of the break.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from ownergraph.loaders.files import open_binaries
from ownergraph.loaders.records import Reject

# local name of a record element -> local name of the element that holds the records
RECORD_PARENTS = {
    "LEIRecord": "LEIRecords",
    "RelationshipRecord": "RelationshipRecords",
    "Exception": "ReportingExceptions",
}


# golden copy enrichment that nothing reads (geocoded addresses): not converted
SKIPPED = {"Geocoding"}


@cache
def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def element_value(element: ET.Element) -> dict | str:
    """An element as GLEIF's JSON shapes it: text for a leaf, else a dict of its children (built without
    recursion: a record may be nested however deep)."""
    if len(element) == 0:
        return (element.text or "").strip()
    root: dict = {}
    pending: list[tuple[ET.Element, dict]] = [(element, root)]
    while pending:
        node, out = pending.pop()
        for child in node:
            name = local(child.tag)
            if name in SKIPPED:
                continue
            value: dict | str
            if len(child) == 0:
                value = (child.text or "").strip()
            else:
                value = {}
                pending.append((child, value))
            if name not in out:
                out[name] = value
            elif isinstance(out[name], list):
                out[name].append(value)
            else:
                out[name] = [out[name], value]
    return root


def iter_records(path: Path) -> Iterator[tuple[str, str, str, dict] | Reject]:
    """(file name, location, record kind, record) for each GLEIF record of an XML file; a break is a Reject.

    The record kind is the record element's local name: LEIRecord, RelationshipRecord or Exception.
    """
    containers = set(RECORD_PARENTS.values())
    for name, handle in open_binaries(path):  # bytes: the parser decodes them as the XML declaration says
        found = 0
        content_date = None  # the header's ContentDate: the date of every record of the file
        container: ET.Element | None = None  # the element that holds the records
        try:
            for event, element in ET.iterparse(handle, events=("start", "end")):
                kind = local(element.tag)
                if event == "start":
                    if kind in containers:
                        container = element
                    continue
                if kind == "ContentDate" and container is None:
                    content_date = (element.text or "").strip() or None
                    continue
                if container is None or RECORD_PARENTS.get(kind) != local(container.tag):
                    continue
                record = element_value(element)
                found += 1
                container.remove(element)  # the record is read: free it (it is the container's first child)
                if not isinstance(record, dict):
                    record = {}
                if content_date and "ContentDate" not in record:
                    record["ContentDate"] = content_date
                yield name, f"record {found}", kind, record
        except ET.ParseError as exc:
            line, column = exc.position
            reason = str(exc).split(":")[0]
            yield Reject(name, f"line {line}", f"malformed XML: {reason} at line {line}, column {column}"
                         f" (after {found} records)")
            continue
        if not found:
            yield Reject(name, "file", "no GLEIF records: expected LEIRecord, RelationshipRecord or "
                                       "reporting Exception elements")
