"""The node and relationship Parquet files of one import, folded from the resolver's buckets.

Each bucket's rows are applied in write order with the rules of `cypher/load/*.cypher`: a party's name,
kind, jurisdiction, headquarters and status from the latest record that gives them (kind `unknown` never
replaces a known one), its lists of nationalities, list names, addresses, reporting exceptions and
sources accumulated in order without repeats, its country from headquarters else jurisdiction (none for
a person); a list membership is its party, list and start, judged against the memberships the party had
before the record (two of one record with the same list and start are two memberships, as in the graph),
and a later end is written on the newest; a Provenance holds what its latest record said, and a stake the
values of its latest statement (by statement date, then load order) with every source in that order.

The files are Parquet (`neo4j-admin database import --input-type=parquet`): a list is a list column, so
an empty list, a list item holding any character and a text with line breaks arrive as written. The
import drops an empty string (the load writes ""), so those few values are set after the import
(`Fixups`, `fixups-*.jsonl`).
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ownergraph.loaders.bulk.resolve import Resolver

NO_DATE = "0001-01-01"  # `coalesce(pv.statement_date, date('0001-01-01'))` in load/stakes
ROW_GROUP = 100_000  # rows of a table held before they are written as one Parquet row group

# (file stem, --nodes label or --relationships type, header); the import reads a column's type from the
# suffix of its name (`:long`, `:date`, `:string[]` ...), a date or date-time from its ISO text
TABLES: dict[str, tuple[str, str, list[str]]] = {
    "parties": ("nodes", "Party", ["key:ID(Party)", "name", "kind", "jurisdiction", "headquarters", "country",
                                   "status", "nationalities:string[]", "lists:string[]", "addresses:string[]",
                                   "reporting_exceptions:string[]", "sources:string[]", "created_at:datetime"]),
    "identifiers": ("nodes", "Identifier", ["id:ID(Identifier)", "scheme", "value"]),
    "lists": ("nodes", "List", ["name:ID(List)"]),
    "provenance": ("nodes", "Provenance", [
        "key:ID(Provenance)", "stake", "source", "record", "statement_date:date", "url", "lo:long", "hi:long", "share_min:double",
        "share_max:double", "min_open:boolean", "max_open:boolean", "start:date", "end:date", "counted:boolean",
        "declares", "components:string[]", "loaded_at:datetime", "seq:long", "created_at:datetime"]),
    "identifies": ("relationships", "IDENTIFIES", [":START_ID(Identifier)", ":END_ID(Party)"]),
    "interests": ("relationships", "INTEREST", [
        ":START_ID(Party)", ":END_ID(Party)", "key", "type", "start:date", "declares", "created_seq:long", "lo:long",
        "hi:long", "share_min:double", "share_max:double", "min_open:boolean", "max_open:boolean", "end:date",
        "counted:boolean", "statement_date:date", "components:string[]", "sources:string[]", "records:string[]"]),
    "listed": ("relationships", "LISTED", [":START_ID(Party)", ":END_ID(List)", "start:date", "end:date", "source"]),
}


@dataclass
class Fixups:
    """Values set after the import, one JSON line each: {"label", "key" (and "owner", "owned" for an
    interest), "props"}; `listing_sources` when a membership's source was the empty string."""

    path: Path
    count: int = 0
    listing_sources: bool = False
    _handle: Any = None

    def add(self, label: str, ident: dict, props: dict) -> None:
        if self._handle is None:
            self._handle = self.path.open("w", encoding="utf-8")
        self._handle.write(json.dumps({"label": label, **ident, "props": props}, ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _arrow_type(column: str):
    import pyarrow as pa

    suffix = column.rpartition(":")[2] if ":" in column else "string"
    if suffix.endswith("[]"):
        return pa.list_(pa.string())
    return {"long": pa.int64(), "double": pa.float64(), "boolean": pa.bool_()}.get(suffix, pa.string())


class Table:
    """One Parquet file, written a row group at a time."""

    def __init__(self, folder: Path, stem: str, part: int | None = None) -> None:
        self.folder = folder
        self.stem = stem
        self.part = part
        self.kind, self.label, header = TABLES[stem]
        self.header = header
        self.names = [h.split(":")[0] for h in header]
        self.texts = [i for i, h in enumerate(header) if ":" not in h]  # plain string columns
        self.rows = 0
        self._pending: list[list] = []
        self._writer: Any = None

    @property
    def file(self) -> str:
        return f"{self.stem}.parquet" if self.part is None else f"{self.stem}-{self.part}.parquet"

    def add(self, row: list) -> list[tuple[str, Any]]:
        """Add a row; return the (column, value) pairs the import cannot carry (an empty string), written
        as no value here."""
        lost: list[tuple[str, Any]] = []
        if "" in row:
            for i in self.texts:
                if row[i] == "":
                    lost.append((self.names[i], ""))
                    row[i] = None
        self._pending.append(row)
        self.rows += 1
        if len(self._pending) >= ROW_GROUP:
            self._flush()
        return lost

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._pending:
            return
        if self._writer is None:
            self.schema = pa.schema([(h, _arrow_type(h)) for h in self.header])
            self._writer = pq.ParquetWriter(self.folder / self.file, self.schema, compression="snappy")
        columns = [_column(values, field.type) for values, field in zip(zip(*self._pending), self.schema)]
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self.schema))
        self._pending = []

    def close(self) -> None:
        self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _column(values: tuple, kind):
    """An Arrow array of `values`; a text holding a lone surrogate (no UTF-8 for it) keeps the rest of
    the text, the surrogate replaced by U+FFFD."""
    import pyarrow as pa

    try:
        return pa.array(values, type=kind)
    except UnicodeEncodeError:
        return pa.array([_clean(v) for v in values], type=kind)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


@dataclass
class Part:
    """What one folding process wrote: its tables' files and rows, the list names its parties are on."""

    files: dict[str, str] = field(default_factory=dict)  # stem -> file name (tables with rows only)
    rows: dict[str, int] = field(default_factory=dict)  # stem -> rows
    lists: set[str] = field(default_factory=set)
    stakes_written: int = 0
    fixups: int = 0
    listing_sources: bool = False

    def add_tables(self, tables: dict[str, Table]) -> None:
        for stem, table in tables.items():
            if table.rows:
                self.files[stem] = table.file
                self.rows[stem] = table.rows


@dataclass
class Written:
    """What `write` produced: each table's files, the fixups, the counts of the graph to be."""

    files: dict[str, list[str]]  # stem -> its files
    counts: dict[str, int]  # label or type -> rows
    fixups: int = 0
    listing_sources: bool = False
    stakes_written: int = 0  # stake rows written (each one new or an update of its stake)


def workers() -> int:
    """Processes that fold the buckets: one per core, at most two (the main process writes the
    identifiers meanwhile)."""
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def write(resolver: Resolver, folder: Path, clock: str, processes: int | None = None) -> Written:
    """Fold the resolver's buckets into the Parquet files in `folder`; `clock` is the load's date-time (ISO).

    The buckets are independent (a party's rows are in one bucket, a stake's in one), so `processes`
    processes forked from this one fold a share of them each, into files of their own (`parties-0.parquet`,
    `parties-1.parquet`, ...), while this one writes the identifiers."""
    folder.mkdir(parents=True, exist_ok=True)
    processes = processes or workers()
    resolver.parties.flush()
    resolver.stakes.flush()
    parts: list[Part]
    if processes == 1:
        main = _identifiers(resolver, folder)
        parts = [_fold(resolver, folder, clock, 0, 1)]
    else:
        global _FOLDING
        _FOLDING = resolver  # the forked processes inherit it (nothing of it is pickled)
        try:
            with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(_fold_inherited, folder, clock, part, processes) for part in range(processes)]
                main = _identifiers(resolver, folder)
                parts = [future.result() for future in futures]
        finally:
            _FOLDING = None
    lists = Table(folder, "lists")
    try:
        for name in sorted(set().union(*(part.lists for part in parts))):
            lists.add([name])
    finally:
        lists.close()
    main.add_tables({"lists": lists})
    files: dict[str, list[str]] = {}
    counts = {label: 0 for _, label, _ in TABLES.values()}
    for part in [main, *parts]:
        for stem, name in part.files.items():
            files.setdefault(stem, []).append(name)
            counts[TABLES[stem][1]] += part.rows[stem]
    return Written(files, counts, sum(p.fixups for p in parts), any(p.listing_sources for p in parts),
                   sum(p.stakes_written for p in parts))


_FOLDING: Resolver | None = None


def _fold_inherited(folder: Path, clock: str, part: int, parts: int) -> Part:
    assert _FOLDING is not None
    return _fold(_FOLDING, folder, clock, part, parts)


def _fold(resolver: Resolver, folder: Path, clock: str, part: int, parts: int) -> Part:
    """One process's share of the buckets: parties and their memberships, source records and stakes."""
    tables = {stem: Table(folder, stem, part) for stem in ("parties", "listed", "provenance", "interests")}
    fixups = Fixups(folder / f"fixups-{part}.jsonl")
    done = Part()
    try:
        done.lists = _parties(resolver, tables, fixups, clock, part, parts)
        done.stakes_written = _stakes(resolver, tables, fixups, clock, part, parts)
    finally:
        for table in tables.values():
            table.close()
        fixups.close()
    done.add_tables(tables)
    done.fixups, done.listing_sources = fixups.count, fixups.listing_sources
    return done


def _fix(fixups: Fixups, lost: list[tuple[str, Any]], label: str, ident: dict) -> None:
    if lost:
        fixups.add(label, ident, dict(lost))


def _parties(resolver: Resolver, tables: dict[str, Table], fixups: Fixups, clock: str, part: int,
             parts: int) -> set[str]:
    lists: set[str] = set()
    parties, listed = tables["parties"], tables["listed"]
    for bucket in resolver.parties.buckets(part, parts):
        state: dict[str, list] = {}
        for (key, name, kind, jurisdiction, headquarters, status, nationalities, names, listings, addresses,
             exceptions, source, record) in bucket:
            p = state.get(key)
            if p is None:  # the row that created the party (ON CREATE SET p.kind = row.kind)
                p = state[key] = [None, kind, None, None, None, {}, {}, {}, {}, {}, []]
            if name is not None:
                p[0] = name
            if kind != "unknown":
                p[1] = kind
            if jurisdiction is not None:
                p[2] = jurisdiction
            if headquarters is not None:
                p[3] = headquarters
            if status is not None:
                p[4] = status
            for slot, values in ((5, nationalities), (6, names), (7, addresses), (8, exceptions)):
                p[slot].update(dict.fromkeys(values))
            p[9].setdefault(f"{source}#{record}", None)
            held = p[10]  # [list, start, end, source], oldest first
            created = []
            for list_name, start, end in listings:
                known = next((x for x in reversed(held) if x[0] == list_name and x[1] == start), None)
                if known is None:
                    created.append([list_name, start, end, source])
                else:  # the latest record stating a membership sets its end (none: open again)
                    known[2] = end
            held.extend(created)
        for key, p in state.items():
            name, kind, jurisdiction, headquarters, status = p[:5]
            place = headquarters if headquarters is not None else jurisdiction
            country = None if kind == "person" or place is None else place[:2].upper()
            lost = parties.add([key, name, kind, jurisdiction, headquarters, country, status, list(p[5]), list(p[6]),
                                list(p[7]), list(p[8]), list(p[9]), clock])
            _fix(fixups, lost, "Party", {"key": key})
            for list_name, start, end, source in p[10]:
                lists.add(list_name)
                if listed.add([key, list_name, start, end, source]):
                    fixups.listing_sources = True  # the only text of a membership: its source
    return lists


def _identifiers(resolver: Resolver, folder: Path) -> Part:
    tables = {stem: Table(folder, stem) for stem in ("identifiers", "identifies")}
    identifiers, identifies = tables["identifiers"], tables["identifies"]
    try:
        for identifier, held in resolver.identifiers.items():
            scheme, _, value = identifier.partition(":")
            identifiers.add([identifier, scheme, value])
            for key in ((held,) if held.__class__ is str else held):
                identifies.add([identifier, key])
    finally:
        for table in tables.values():
            table.close()
    done = Part()
    done.add_tables(tables)
    return done


def _stakes(resolver: Resolver, tables: dict[str, Table], fixups: Fixups, clock: str, part: int, parts: int) -> int:
    provenance_table, interests = tables["provenance"], tables["interests"]
    written = 0
    for bucket in resolver.stakes.buckets(part, parts):
        written += len(bucket)
        created: dict[tuple[str, str, str], tuple] = {}  # (owner, owned, stake) -> the row that created it
        latest: dict[str, tuple] = {}  # Provenance key -> its latest row
        for row in bucket:
            created.setdefault((row[0], row[1], row[2]), row)
            latest[row[3]] = row
        by_stake: dict[str, list[tuple]] = {}
        for row in latest.values():
            by_stake.setdefault(row[2], []).append(row)
            _provenance(provenance_table, fixups, row, clock)
        for (owner, owned, stake), first in created.items():
            statements = sorted(by_stake[stake], key=_recency, reverse=True)
            top = statements[0]
            lost = interests.add([owner, owned, stake, first[5], first[12], first[15], first[4], top[6], top[7],
                                  top[8], top[9], top[10], top[11], top[13], top[14], top[19],
                                  list(top[16]),
                                  [s[17] for s in statements], [s[18] for s in statements]])
            _fix(fixups, lost, "INTEREST", {"owner": owner, "owned": owned, "key": stake})
    return written


def _recency(row: tuple) -> tuple[str, int]:
    return (row[19] or NO_DATE, row[4])


def _provenance(table: Table, fixups: Fixups, row: tuple, clock: str) -> None:
    (_, _, stake, key, seq, _, lo, hi, share_min, share_max, min_open, max_open, start, end, counted, declares,
     components, source, record, statement_date, url) = row
    lost = table.add([key, stake, source, record, statement_date, url, lo, hi, share_min, share_max, min_open,
                      max_open, start, end, counted, declares, list(components), clock, seq, clock])
    _fix(fixups, lost, "Provenance", {"key": key})


def file_names(parts: int = 8) -> list[str]:
    """Every file `write` may write (with up to `parts` folding processes)."""
    return [*(f"fixups-{p}.jsonl" for p in range(parts)),
            *(f"{stem}{suffix}.parquet" for stem in TABLES for suffix in ("", *(f"-{p}" for p in range(parts))))]


def import_arguments(written: Written, database: str) -> list[str]:
    """The arguments of `neo4j-admin database import full` for these files (names relative to their folder)."""
    # the database first: --nodes and --relationships take every following word as a file
    args = [database, "--input-type=parquet", "--id-type=string"]
    for stem, names in written.files.items():
        kind, label, _ = TABLES[stem]
        args += [f"--{kind}={label}={name}" for name in names]
    return args


def fixup_rows(folder: Path) -> Iterable[dict]:
    """The values every folding process set aside (`fixups-*.jsonl` in `folder`)."""
    for path in sorted(folder.glob("fixups-*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)
