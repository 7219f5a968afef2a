"""Identity resolved before the import, exactly as the transactional load resolves it.

`Resolver` takes what the readers yield, in the order `loaders/sink.Sink` takes it, and keeps the Sink's
batches (parties flushed when a batch is full and before every batch of stakes; a stake whose party is
not known yet waits until the end and is rejected as an unknown party if it is still unknown then), so
every record meets the graph as `cypher/load/parties.cypher` and `cypher/load/stakes.cypher` would find it:

- a party row finds the parties any of its identifiers already identifies and takes the one with the
  smallest key, or is a new party keyed by its first identifier; each of its identifiers then identifies
  that party too (an identifier may so come to identify two parties: both stay, as in the graph);
- a stake row's owner and owned are the parties with the smallest key its identifiers identify *at the
  moment its batch is written*; its stake is `owner|owned|type|start|declares` and its Provenance
  `stake|source|record`.

Only the identifier map stays in memory (one entry per identifier). What each row says goes to disk,
in buckets by party key and by stake (`Spill`), in write order, and `importfiles.py` folds each bucket
into the values the graph would end with. Rows carry a sequence number in write order, the load order
`load/stakes` ranks statements of the same date by.
"""

from __future__ import annotations

import marshal
import shutil
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from ownergraph.graph.model import PartyRecord, StakeRecord
from ownergraph.loaders.records import Item, Reject, reason_key, unknown_party
from ownergraph.loaders.sink import LoadSummary, RejectsFile

BUCKETS = 64
BUFFER = 1 << 16
CHUNK = 500  # rows of a bucket written to disk at once
# The longest string a Neo4j range index takes (bytes, UTF-8; 8,164 ASCII characters index, 8,165 fail):
# a Provenance key beyond it (the INTEREST key is shorter) is refused by the database in the transactional
# load, so the record is rejected here too, for the same reason, in other words.
INDEX_KEY_LIMIT = 8_164


class Spill:
    """Rows (tuples of str, int, float, bool, None, lists) in buckets on disk, by the hash of a key;
    each bucket keeps its rows in the order they came. Rows go to disk in chunks (one marshal each, after
    its length)."""

    def __init__(self, folder: Path, name: str, buckets: int = BUCKETS) -> None:
        self.folder = folder / name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = buckets
        self._pending: list[list[tuple]] = [[] for _ in range(buckets)]
        self._handles: list[IO[bytes] | None] = [None] * buckets
        self.rows = 0

    def add(self, key: str, row: tuple) -> None:
        index = hash(key) % self.count
        pending = self._pending[index]
        pending.append(row)
        if len(pending) >= CHUNK:
            self._write(index)
        self.rows += 1

    def _write(self, index: int) -> None:
        handle = self._handles[index]
        if handle is None:
            handle = self._handles[index] = open(self.folder / f"{index:03d}", "wb", buffering=BUFFER)
        blob = marshal.dumps(self._pending[index])
        handle.write(len(blob).to_bytes(8, "little"))
        handle.write(blob)
        self._pending[index] = []

    def flush(self) -> None:
        """Every chunk written so far on disk (before processes forked from this one read the buckets)."""
        for handle in self._handles:
            if handle is not None:
                handle.flush()

    def buckets(self, part: int = 0, parts: int = 1) -> Iterator[list[tuple]]:
        """Each bucket's rows, in order (every `parts`-th bucket from `part`: one process's share); the
        bucket's file is deleted once read."""
        for index in range(part, self.count, parts):
            handle = self._handles[index]
            rows: list[tuple] = []
            if handle is not None:
                handle.close()
                self._handles[index] = None
                path = self.folder / f"{index:03d}"
                with open(path, "rb", buffering=BUFFER) as source:
                    while size := source.read(8):
                        rows.extend(marshal.loads(source.read(int.from_bytes(size, "little"))))
                path.unlink()
            rows.extend(self._pending[index])
            self._pending[index] = []
            if rows:
                yield rows

    def close(self) -> None:
        for handle in self._handles:
            if handle is not None:
                handle.close()
        self._pending = [[] for _ in range(self.count)]
        shutil.rmtree(self.folder, ignore_errors=True)


def iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


class Resolver:
    """The transactional load's writes, resolved in memory: the Sink's batching over an identifier map."""

    def __init__(self, folder: Path, rejects: RejectsFile, batch_size: int = 5000) -> None:
        self.rejects = rejects
        self.batch_size = batch_size
        self.summary = LoadSummary(rejects_file=rejects.path)
        self.identifiers: dict[str, str | tuple[str, ...]] = {}  # identifier -> the key(s) it identifies
        self.parties = Spill(folder, "parties")
        self.stakes = Spill(folder, "stakes")
        self._parties: list[PartyRecord] = []
        self._stakes: list[StakeRecord] = []
        self._waiting: list[StakeRecord] = []
        self._seq = time.time_ns()

    # -- the Sink's order ------------------------------------------------------------------------------

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
        """Every record resolved; the summary's interest counts are set when the stakes are folded."""
        self._flush_parties()
        self._flush_stakes(self._stakes, final=False)
        self._stakes = []
        waiting, self._waiting = self._waiting, []
        for start in range(0, len(waiting), self.batch_size):
            self._flush_stakes(waiting[start:start + self.batch_size], final=True)
        self.rejects.close()
        return self.summary

    def close(self) -> None:
        self.parties.close()
        self.stakes.close()

    def _flush_parties(self) -> None:
        batch, self._parties = self._parties, []
        for record in batch:
            self._party(record.row())

    def _flush_stakes(self, batch: Sequence[StakeRecord], final: bool) -> None:
        unwritten = []
        for record in batch:
            row = record.row()
            owner, owned = self.resolve(row["owner"]), self.resolve(row["owned"])
            if owner is None or owned is None:
                unwritten.append(record)
            else:
                self._stake(record, row, owner, owned)
        for record in unwritten:
            if final:
                self.reject(unknown_party(record))
            else:
                self._waiting.append(record)

    # -- load/parties and load/stakes ------------------------------------------------------------------

    def resolve(self, identifier: str) -> str | None:
        """The party an identifier names: the smallest key among those it identifies."""
        held = self.identifiers.get(identifier)
        if held is None or held.__class__ is str:
            return held
        return min(held)

    def _party(self, row: dict[str, Any]) -> None:
        ids = [i["id"] for i in row["ids"]]
        existing: str | None = None
        for identifier in ids:
            known = self.resolve(identifier)
            if known is not None and (existing is None or known < existing):
                existing = known
        key = row["key"] if existing is None else existing
        for identifier in ids:
            held = self.identifiers.get(identifier)
            if held is None:
                self.identifiers[identifier] = key
            elif held.__class__ is str:
                if held != key:
                    self.identifiers[identifier] = (held, key)
            elif key not in held:
                self.identifiers[identifier] = held + (key,)  # type: ignore[operator]
        if existing is None:
            self.summary.parties_new += 1
        else:
            self.summary.parties_updated += 1
        listings = [(m["name"], iso(m["start"]), iso(m["end"])) for m in row["listings"]]
        self.parties.add(key, (key, row["name"], row["kind"], row["jurisdiction"], row["headquarters"],
                               row["status"], row["nationalities"], row["lists"], listings, row["addresses"],
                               row["exceptions"], row["source"], row["record"]))

    def _stake(self, record: StakeRecord, row: dict[str, Any], owner: str, owned: str) -> None:
        start = iso(row["start"])
        declares = row["declares"]
        stake = f"{owner}|{owned}|{row['type']}|{start or ''}|{declares or ''}"
        provenance = f"{stake}|{row['source']}|{row['record']}"
        size = len(provenance.encode("utf-8", "surrogatepass"))
        if size > INDEX_KEY_LIMIT:
            self.reject(Reject(record.provenance.source, record.provenance.record,
                               f"database refused the record: its Provenance key is {size:,} bytes long, longer "
                               f"than the {INDEX_KEY_LIMIT:,} bytes an index takes", repr(row)[:500]))
            return
        seq = self._seq
        self._seq += 1
        self.stakes.add(stake, (owner, owned, stake, provenance, seq, row["type"], row["lo"], row["hi"],
                                row["share_min"], row["share_max"], row["min_open"], row["max_open"], start,
                                iso(row["end"]), row["counted"], declares, row["components"], row["source"],
                                row["record"], iso(row["statement_date"]), row["url"]))
