"""Writes what loaders yield into the store: batched UNWIND writes, one transaction per batch.

One writer thread sends the batches to Neo4j in the order they were made, while the caller reads and
converts the next ones (at most `DEPTH` batches wait to be written), so reading and writing overlap. The
order is the order of one writer: a batch is committed before the next is sent, so a load killed at any
moment has written whole batches, parties before the stakes that follow them.

Parties are flushed before the stakes that name them. A stake whose party is not known yet waits until
the end of the load (sources are not always ordered) and is rejected as "unknown party" if it is still
unknown then. A batch that fails as a whole is retried row by row, so one bad record is rejected with
its reason and the rest of its batch is written; a batch is never half written.
"""

from __future__ import annotations

import csv
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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


DEPTH = 2  # batches made and not yet written (one being written, one waiting) while the next is made


class Writer:
    """One thread that runs jobs in the order given, at most `depth` of them pending; the first error a
    job raises stops the jobs after it and is raised to the caller by its next `submit` or `drain`."""

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future] = deque()
        self._failed = False

    def submit(self, job: Callable[[], None]) -> None:
        while len(self._pending) >= self.depth:
            self._pending.popleft().result()
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ownergraph-writer")
        self._pending.append(self._pool.submit(self._run, job))

    def _run(self, job: Callable[[], None]) -> None:
        if self._failed:
            return
        try:
            job()
        except BaseException:
            self._failed = True
            raise

    def drain(self) -> None:
        """Wait for every job submitted; raise the first error one raised."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Stop: jobs not started yet are dropped, the one under way ends, errors are not raised."""
        self._failed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending.clear()


class Sink:
    def __init__(self, store: Store, rejects: RejectsFile, batch_size: int = 5000) -> None:
        self.store = store
        self.rejects = rejects
        self.batch_size = batch_size
        self.summary = LoadSummary(rejects_file=rejects.path)
        self._parties: list[PartyRecord] = []
        self._stakes: list[StakeRecord] = []
        self._waiting: list[StakeRecord] = []  # filled by the writer thread, read once it is drained
        self.touched: set[str] = set()  # keys of the written parties and of the owned parties of written stakes
        self._writer = Writer()
        self._lock = threading.Lock()  # rejects come from the caller and from the writer thread
        self._seq = 0  # the last load-order number given to a row

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
        with self._lock:
            self.rejects.write(item)
            self.summary.rejected[reason_key(item.reason)] += 1

    def finish(self) -> LoadSummary:
        """Write what is left and wait for every batch; the stakes that waited for their parties last."""
        try:
            self._flush_parties()
            self._flush_stakes(self._stakes, final=False)
            self._stakes = []
            self._writer.drain()
            waiting, self._waiting = self._waiting, []
            for chunk in pages(waiting, self.batch_size):
                self._flush_stakes(chunk, final=True)
            self._writer.drain()
        finally:
            self.close()
        return self.summary

    def close(self) -> None:
        """Stop writing (batches not sent yet are dropped) and close the rejects file. A load that fails
        calls it, so no batch is written after the error is raised."""
        self._writer.close()
        self.rejects.close()

    def _flush_parties(self) -> None:
        batch, self._parties = self._parties, []
        if not batch:
            return
        rows = self._rows(batch)
        self._writer.submit(lambda: self._parties_written(self._write("load/parties", batch, rows)))

    def _parties_written(self, written: list[tuple[Sequence, dict]]) -> None:
        for _, result in written:
            self.touched.update(result["keys"])
            self.summary.parties_new += result["created"]
            self.summary.parties_updated += result["written"] - result["created"]

    def _flush_stakes(self, batch: Sequence[StakeRecord], final: bool) -> None:
        if not batch:
            return
        rows = self._rows(batch)
        self._writer.submit(lambda: self._stakes_written(self._write("load/stakes", batch, rows), final))

    def _stakes_written(self, written: list[tuple[Sequence[StakeRecord], dict]], final: bool) -> None:
        for records, result in written:
            self.touched.update(result["owned"])
            self.summary.interests_new += result["created"]
            self.summary.interests_updated += result["written"] - result["created"]
            if result["written"] == len(records):
                continue
            landed = {i for stake in result["indexes"] for i in stake}
            for i, record in enumerate(records):  # a party it names is not known (yet)
                if i in landed:
                    continue
                if final:
                    self.reject(unknown_party(record))
                else:
                    self._waiting.append(record)

    def _rows(self, batch: Sequence[PartyRecord] | Sequence[StakeRecord]) -> list[dict]:
        """The statement's rows of a batch (made by the caller, while the writer writes the batch before).
        `seq` is the load order: among statements of the same date, the later load wins; it grows from row
        to row and from batch to batch, and a stake created by a row carries that row's."""
        base = max(time.time_ns(), self._seq + 1)
        rows = []
        records: Sequence[PartyRecord | StakeRecord] = batch
        for i, record in enumerate(records):
            row = record.row()
            row["i"] = i
            row["seq"] = base + i
            rows.append(row)
        self._seq = base + len(batch) - 1
        return rows

    def _write(self, statement: str, batch: Sequence, rows: list[dict]) -> list[tuple[Sequence, dict]]:
        """Write a batch in one transaction; on failure, row by row (a row the database refuses is rejected).
        Returns (records, the statement's summary row) for each transaction written."""
        try:
            return [(batch, self.store.run(statement, rows=Rows(rows))[0])]
        except Neo4jError:
            pass
        out: list[tuple[Sequence, dict]] = []
        for record, row in zip(batch, rows):
            row["i"] = 0
            try:
                out.append(([record], self.store.run(statement, rows=Rows([row]))[0]))
            except Neo4jError as exc:
                self.reject(Reject(record.provenance.source, record.provenance.record,
                                   f"database refused the record: {exc.message}", repr(row)[:500]))
        return out


class Rows(list):
    """A statement's rows, shown by their number: the driver formats the parameters of every statement for
    its debug log whether or not that log is on, which for a batch of rows cost as much as sending it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"
