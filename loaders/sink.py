"""Writes what loaders yield into the store: batched UNWIND writes, one transaction per batch.

Parties are flushed before the stakes that name them. A stake whose party is not known yet waits until
the end of the load (sources are not always ordered) and is rejected as "unknown party" if it is still
unknown then. A batch that fails as a whole is retried row by row, so one bad record is rejected with
its reason and the rest of its batch is written; a batch is never half written.
"""

from __future__ import annotations

import csv
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from neo4j.exceptions import Neo4jError

from ownergraph.graph.model import PartyRecord, StakeRecord
from ownergraph.graph.store import Store, pages
from ownergraph.loaders.records import Item, Reject, reason_key, unknown_party


@dataclass
class LoadSummary:
    parties_new: int = 0
    parties_updated: int = 0
    interests_new: int = 0
    interests_updated: int = 0
    rejected: Counter = field(default_factory=Counter)
    rejects_file: Path | None = None
    unreadable: list[str] = field(default_factory=list)  # "file: cause" of each file not read (to its end)
    conflicts: int = 0  # parties stated twice in one file with a different name or country
    conflict_examples: list[str] = field(default_factory=list)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def loaded_total(self) -> int:
        return self.parties_new + self.parties_updated + self.interests_new + self.interests_updated

    @property
    def exit_code(self) -> int:
        """0: every record loaded; 1: some records rejected; 2: a file could not be read, or nothing loaded."""
        if self.unreadable or not self.loaded_total:
            return 2
        return 1 if self.rejected_total else 0


class RejectsFile:
    """A CSV of rejected records: source, location, reason, raw (created on the first reject, readable by
    its owner only: it holds raw records). Bytes that were not UTF-8 are written as backslash escapes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: TextIO | None = None
        self._writer: Any = None

    def write(self, reject: Reject) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.chmod(self.path, 0o600)  # also when the file was there before
            self._handle = open(descriptor, "w", newline="", encoding="utf-8", errors="backslashreplace")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["source", "location", "reason", "record"])
        self._writer.writerow([reject.source, reject.location, reject.reason, reject.raw[:2000]])
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        if self._handle:
            self._handle.close()


class Sink:
    def __init__(self, store: Store, rejects: RejectsFile, batch_size: int = 5000) -> None:
        self.store = store
        self.rejects = rejects
        self.batch_size = batch_size
        self.summary = LoadSummary(rejects_file=rejects.path)
        self._parties: list[PartyRecord] = []
        self._stakes: list[StakeRecord] = []
        self._waiting: list[StakeRecord] = []
        self.touched: set[str] = set()  # keys of the written parties and of the owned parties of written stakes

    def add(self, item: Item) -> None:
        if isinstance(item, Reject):
            self.reject(item)
        elif isinstance(item, PartyRecord):
            self._parties.append(item)
            if len(self._parties) >= self.batch_size:
                self._flush_parties()
        else:
            self._stakes.append(item)
            if len(self._stakes) >= self.batch_size:
                self._flush_parties()
                self._flush_stakes(self._stakes, final=False)
                self._stakes = []

    def reject(self, item: Reject) -> None:
        self.rejects.write(item)
        self.summary.rejected[reason_key(item.reason)] += 1

    def finish(self) -> LoadSummary:
        self._flush_parties()
        self._flush_stakes(self._stakes, final=False)
        self._stakes = []
        waiting, self._waiting = self._waiting, []
        for chunk in pages(waiting, self.batch_size):
            self._flush_stakes(chunk, final=True)
        self.rejects.close()
        return self.summary

    def _flush_parties(self) -> None:
        batch, self._parties = self._parties, []
        if not batch:
            return
        created_now: set[str] = set()
        for row in self._write("load/parties", batch):
            self.touched.add(row["key"])
            # a party named twice in one batch is created by its first row and updated by the next
            if row["created"] and row["key"] not in created_now:
                created_now.add(row["key"])
                self.summary.parties_new += 1
            else:
                self.summary.parties_updated += 1

    def _flush_stakes(self, batch: Sequence[StakeRecord], final: bool) -> None:
        if not batch:
            return
        written = set()
        for row in self._write("load/stakes", batch):
            written.add(id(row["record"]))
            self.touched.add(row["owned"])
            if row["created"]:
                self.summary.interests_new += 1
            else:
                self.summary.interests_updated += 1
        for record in batch:
            if id(record) in written:
                continue
            if final:
                self.reject(unknown_party(record))
            else:
                self._waiting.append(record)

    def _write(self, statement: str, batch: Sequence) -> list[dict]:
        """Write a batch in one transaction; on failure, row by row. Returns the written rows, each with
        its record under "record"."""
        rows = []
        base = time.time_ns()  # load order: among statements of the same date, the later load wins
        for i, record in enumerate(batch):
            row = record.row()
            row["i"] = i
            row["seq"] = base + i
            rows.append(row)
        try:
            result = self.store.run(statement, rows=rows)
            return [{**r, "record": batch[r["i"]]} for r in result]
        except Neo4jError:
            pass
        out: list[dict] = []
        for record, row in zip(batch, rows):
            row["i"] = 0
            try:
                result = self.store.run(statement, rows=[row])
                out.extend({**r, "record": record} for r in result)
            except Neo4jError as exc:
                self.reject(Reject(record.provenance.source, record.provenance.record,
                                   f"database refused the record: {exc.message}", repr(row)[:500]))
        return out
