"""Apply one staged snapshot: upserts through the sink, ended periods, listings, absence marks."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ownergraph.graph import incremental
from ownergraph.graph.model import PartyRecord, RecordError, StakeRecord
from ownergraph.graph.store import Store, pages
from ownergraph.loaders.refresh.stage import Diff, Said, digest, listing_text
from ownergraph.loaders.sink import RejectsFile, Sink
from ownergraph.loaders.values import listing


@dataclass
class SourceReport:
    source: str
    snapshot: str
    path: str
    first: bool
    parties_new: int = 0
    parties_changed: int = 0
    parties_absent: int = 0
    stakes_new: int = 0
    stakes_changed: int = 0
    stakes_ended: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects_file: str | None = None
    conflicts: int = 0  # parties stated twice in the snapshot with another name or country (the later kept)
    conflict_examples: list[str] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)  # read (state), stage (read and diff), apply, remember


@dataclass
class Applied:
    diff: Diff
    report: SourceReport
    roots: incremental.Roots
    state: list[dict]


def apply(store: Store, diff: Diff, run: str, rejects: Path, batch_size: int) -> Applied:
    """Write one staged snapshot: upserts through the sink, ended periods, listings, absence marks."""
    snap, day, first = diff.snapshot, diff.snapshot.date, diff.first
    name = snap.source.name
    report = SourceReport(name, day.isoformat(), str(snap.path), first, unchanged=diff.unchanged,
                          conflicts=diff.conflicts.count, conflict_examples=diff.conflicts.examples)
    roots: incremental.Roots = defaultdict(set)
    sink = Sink(store, RejectsFile(rejects), batch_size)
    for reject in diff.rejects:
        sink.reject(reject)
    groups = {**diff.new, **diff.changed}
    # stakes: where each new or changed group goes (its period), and which periods end today
    ending: list[str] = [interest for k in diff.dropped
                         if k.startswith("s|") and (interest := diff.said[k].interest)]
    placed: dict[str, date | None] = {}
    for key, records in groups.items():
        if not key.startswith("s|"):
            continue
        before = diff.said.get(key)
        start, ends_previous = period(records, before, first, day)
        placed[key] = start
        if ends_previous and before is not None and before.interest is not None:  # period() says so only then
            ending.append(before.interest)
    for page in pages(ending):
        for row in store.run("refresh/stakes_end", keys=page, date=day, source=name, run=run,
                             seq=time.time_ns()):
            roots[row["owned"]].add(row["interest"])
            report.stakes_ended += 1
    try:
        for key, records in groups.items():
            for record in records:
                if isinstance(record, PartyRecord):
                    sink.add(record if first else replace(record, lists=()))
                else:
                    sink.add(restate(record, placed[key], diff.said.get(key), day))
    except BaseException:
        sink.close()  # no batch is written after the error (the sink writes while records are added)
        raise
    summary = sink.finish()
    report.rejected = summary.rejected_total
    report.rejects_file = str(rejects) if summary.rejected_total else None
    # where each stake group landed; parties' keys; listings
    stake_rows = [{"rkey": k, "owner": r[0].owner, "owned": r[0].owned, "type": r[0].interest, "start": placed[k],
                   "declares": r[0].declares} for k, r in groups.items() if k.startswith("s|")]
    landed: dict[str, str] = {}
    for rows_page in pages(stake_rows):
        for row in store.run("refresh/stake_keys", rows=rows_page):
            landed[row["rkey"]] = row["interest"]
            roots[row["owned"]].add(row["interest"])
    party_lists: dict[str, list[str]] = {}
    party_listings: dict[str, list[str]] = {}
    for key, records in groups.items():
        if key.startswith("p|"):
            party_lists[key] = sorted({n for r in records for n in r.lists})
            party_listings[key] = sorted({listing_text(m) for r in records for m in r.listings})
    if not first:
        added = [{"id": k[2:], "lists": sorted(set(v) - set(diff.said[k].lists if k in diff.said else []))}
                 for k, v in party_lists.items()]
        removed = [{"id": k[2:], "lists": sorted(set(diff.said[k].lists) - set(v))}
                   for k, v in party_lists.items() if k in diff.said]
        removed += [{"id": k[2:], "lists": diff.said[k].lists} for k in diff.dropped
                    if k.startswith("p|") and diff.said[k].lists]
        in_pages(store, "refresh/listings_add", [r for r in added if r["lists"]], date=day, source=name)
        in_pages(store, "refresh/listings_end", [r for r in removed if r["lists"]], date=day, run=run)
        in_pages(store, "refresh/listings_end_dated", unstated(diff, party_listings), date=day, run=run)
    changed_ids = sorted({k[2:] for k in party_lists} | {k[2:] for k in diff.dropped if k.startswith("p|")})
    for page in pages(changed_ids):
        for row in store.run("refresh/party_keys", ids=page):
            if row["key"] is not None:
                roots[row["key"]].add(f"party:{row['key']}")
    absent = [k[2:] for k in diff.dropped if k.startswith("p|")]
    in_pages(store, "refresh/parties_absent", absent, key="ids", source=name, date=day)
    in_pages(store, "refresh/parties_present", [k[2:] for k in diff.new if k.startswith("p|")], key="ids",
              source=name)
    report.parties_new = sum(1 for k in diff.new if k.startswith("p|"))
    report.parties_changed = sum(1 for k in diff.changed if k.startswith("p|"))
    report.parties_absent = len(absent)
    report.stakes_new = sum(1 for k in diff.new if k.startswith("s|"))
    report.stakes_changed = sum(1 for k in diff.changed if k.startswith("s|"))
    state: list[dict[str, Any]] = []
    for key in groups:
        parts = diff.parts[key]
        if key.startswith("p|"):
            first_record = groups[key][0]
            said = {"name": first_record.name, "kind": first_record.kind, "jurisdiction": first_record.jurisdiction,
                    "headquarters": first_record.headquarters, "nationalities": list(first_record.nationalities),
                    "lists": party_lists[key], "status": first_record.status}
            if party_listings[key]:
                said["listings"] = party_listings[key]
            state.append({"rkey": key, "kind": "party", "parts": parts, "hash": digest(parts), "start": None,
                          "interest": None, "lists": party_lists[key], "listings": party_listings[key],
                          "party": key[2:], "said": json.dumps(said)})
        else:
            interest = landed.get(key)
            # a stake whose parties are unknown did not land: remembered as unsaid, so it is tried again
            state.append({"rkey": key, "kind": "stake", "parts": parts if interest else [],
                          "hash": digest(parts) if interest else "", "start": placed[key], "interest": interest,
                          "lists": [], "listings": [], "party": None, "said": None})
    return Applied(diff, report, dict(roots), state)


def unstated(diff: Diff, party_listings: dict[str, list[str]]) -> list[dict]:
    """The dated memberships a source stated last time and no longer states (a membership is its party,
    list and start; a changed end is the same membership): each ends on the snapshot date if still running."""
    rows = []
    for key, said in diff.said.items():
        if not key.startswith("p|") or not said.listings:
            continue
        now = {(m.name, m.start) for m in map(listing, party_listings.get(key, []))}
        for before in map(listing, said.listings):
            if (before.name, before.start) not in now:
                rows.append({"id": key[2:], "name": before.name, "start": before.start})
    return rows


def period(records: list[StakeRecord], before: Said | None, first: bool, day: date) -> tuple[date | None, bool]:
    """(start of the period a stake group's records go to, whether the previous period ends today)."""
    stated = records[0].start if records else None  # the group key holds the start the source gives
    ceased = bool(records) and all(r.end is not None and r.end <= day for r in records)
    if before is None or before.interest is None:  # new (or never landed): the source's own start, else
        # today, unless this is the source's first file
        return (stated if stated else (None if first or ceased else day)), False
    if ceased:  # the source reports the end of the period it stated before
        return before.start, False
    start = max(stated, day) if stated else day
    if start == before.start:
        return start, False
    return start, before.interest is not None


def restate(record: StakeRecord, start: date | None, before: Said | None, day: date) -> StakeRecord:
    """The record as the refresh writes it: in its period, dated by the snapshot when it has no date."""
    provenance = record.provenance
    if provenance.statement_date is None:
        provenance = replace(provenance, statement_date=day)
    if record.end is not None and start is not None and record.end <= start:
        start = before.start if before else None  # an end within the previous period belongs to it
    try:
        return replace(record, start=start, provenance=provenance)
    except RecordError:
        return replace(record, provenance=provenance)


def in_pages(store: Store, statement: str, items: list, key: str = "rows", **params) -> None:
    for page in pages(items):
        store.run(statement, **{key: page}, **params)
