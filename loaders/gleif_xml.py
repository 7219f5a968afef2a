"""GLEIF XML files (LEI-CDF, RR-CDF, reporting exceptions), streamed record by record.

Each record element becomes the same nested dict that GLEIF's JSON uses (element names without their
namespace; a repeated element becomes a list; a leaf becomes its text), so one mapping serves both.
The header's ContentDate is added to each record that has none (GLEIF's JSON repeats it per
record). Records are handed on as soon as their closing tag is read and are then dropped, so a golden
copy of millions of records is read in constant memory. A file that breaks off (truncated, not well formed)
yields the records before the break and then a Reject naming the line and column of the break.

The file is parsed by lxml (libxml2), which hands over only the record elements, each built in C: several
times faster than the standard library's parser, which reports every element to Python. What lxml stops
at (a malformed or truncated file, a record nested deeper than libxml2's limit of 256 levels, an entity it
leaves unresolved) is read again by the standard library's parser from the start, skipping the records
already given: a broken file yields the records and the Reject it always did, and a record lxml cannot
hold is read all the same.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import suppress
from functools import cache
from pathlib import Path
from typing import IO

from lxml import etree as lxml_etree

from ownergraph.loaders.files import FILE_ERRORS, open_binaries
from ownergraph.loaders.records import Reject

# local name of a record element -> local name of the element that holds the records
RECORD_PARENTS = {
    "LEIRecord": "LEIRecords",
    "RelationshipRecord": "RelationshipRecords",
    "Exception": "ReportingExceptions",
}


# golden copy enrichment that nothing reads (geocoded addresses): not converted
SKIPPED = {"Geocoding"}
CHUNK = 16 * 1024  # bytes fed to the parser at a time (what ElementTree.iterparse reads)
# the elements lxml hands over: record containers (start), records and the header's ContentDate (end)
WANTED = tuple(f"{{*}}{name}" for name in (*RECORD_PARENTS, *RECORD_PARENTS.values(), "ContentDate"))


class _Unread(Exception):
    """lxml stopped (or met what it does not resolve) after `found` records: the standard parser goes on."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found


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
    for name, handle in open_binaries(path):  # bytes: the parser decodes them as the XML declaration says
        try:
            yield from _lxml_records(name, handle)
        except _Unread as stop:
            yield from _read_again(path, name, stop.found)


def _read_again(path: Path, name: str, skip: int) -> Iterator[tuple[str, str, str, dict] | Reject]:
    """The records of one file (or zip member) by the standard parser, after the first `skip`."""
    for other, handle in open_binaries(path):
        if other == name:
            yield from _standard_records(name, handle, skip)
            return


def _lxml_records(name: str, handle: IO[bytes]) -> Iterator[tuple[str, str, str, dict]]:
    # no comments, processing instructions or blank text nodes (nothing reads them) and no ID table: less
    # for libxml2 to build; nothing fetched from the network, no external DTD
    parser = lxml_etree.XMLPullParser(events=("start", "end"), tag=WANTED, remove_comments=True, remove_pis=True,
                                      remove_blank_text=True, collect_ids=False, no_network=True, load_dtd=False)
    found = 0
    content_date = None  # the header's ContentDate: the date of every record of the file
    container = None  # the local name of the element that holds the records
    try:
        while True:
            try:
                data = handle.read(CHUNK)
            except FILE_ERRORS:
                raise _Unread(found) from None  # the standard parser reads up to the same break, and raises
            if data:
                parser.feed(data)
            else:
                parser.close()
            for event, element in parser.read_events():
                tag = element.tag
                kind = _local(tag)
                if event == "start":
                    if kind in CONTAINERS:
                        container = kind
                    continue
                if kind == "ContentDate":
                    if container is None:
                        content_date = (element.text or "").strip() or None
                    continue
                if container is None or RECORD_PARENTS.get(kind) != container:
                    continue
                record = lxml_value(element)
                found += 1
                parent = element.getparent()
                if parent is not None:
                    parent.remove(element)  # the record is read: free it
                if not isinstance(record, dict):
                    record = {}
                if content_date and "ContentDate" not in record:
                    record["ContentDate"] = content_date
                yield name, f"record {found}", kind, record
            if not data:
                break
    except lxml_etree.LxmlError:
        raise _Unread(found) from None
    except _Unread:
        raise _Unread(found) from None
    if not found:
        raise _Unread(0)  # no records: the standard parser says so, as it always did


CONTAINERS = frozenset(RECORD_PARENTS.values())
_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    name = _LOCAL.get(tag)
    if name is None:
        name = tag[tag.rfind("}") + 1:]
        if len(_LOCAL) < 10_000:  # element names repeat: remembered, within a bound
            _LOCAL[tag] = name
    return name


def lxml_value(element) -> dict | str:
    """element_value for an lxml element (the same dict); an entity reference lxml leaves unresolved stops
    it (_Unread), so that the standard parser reads the file as it always did."""
    if len(element) == 0:
        return (element.text or "").strip()
    root: dict = {}
    pending = [(element, root)]
    known = _LOCAL.get
    while pending:
        node, out = pending.pop()
        for child in node:
            tag = child.tag
            name = known(tag)
            if name is None:
                if tag.__class__ is not str:
                    raise _Unread(-1)
                name = _local(tag)
            if name in SKIPPED:
                continue
            value: dict | str
            if len(child):
                value = {}
                pending.append((child, value))
            else:
                text = child.text
                value = text.strip() if text else ""
            have = out.get(name)
            if have is None:
                out[name] = value
            elif have.__class__ is list:
                have.append(value)
            else:
                out[name] = [have, value]
    return root


def _standard_records(name: str, handle: IO[bytes], skip: int = 0) -> Iterator[tuple[str, str, str, dict] | Reject]:
    """The records of one XML stream by the standard library's parser; the first `skip` are not converted
    and not given (lxml gave them)."""
    containers = set(RECORD_PARENTS.values())
    found = 0
    content_date = None
    container: ET.Element | None = None
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
            found += 1
            record = element_value(element) if found > skip else {}
            with suppress(ValueError):  # a record inside another element of the container stays there
                container.remove(element)  # the record is read: free it (it is the container's first child)
            if found <= skip:
                continue
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
        return
    if not found:
        yield Reject(name, "file", "no GLEIF records: expected LEIRecord, RelationshipRecord or "
                                   "reporting Exception elements")
