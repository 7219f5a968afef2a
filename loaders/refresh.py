"""The refresh: bring the graph up to date with its sources, keep history, recompute what changed.

For each source (loaders/sources.py) and each of its dated files not applied yet, oldest first:

1. **stage and diff** (nothing written): the file is read with its format's reader; every record is
   reduced to its group key (a party: its first identifier; a stake: owner, owned, interest type, start
   and declaration as the source gives them) and a fingerprint of what it says. Comparing with what the
   source said last time gives new, changed, unchanged and (snapshots only) dropped groups. A file that
   cannot be read fails the run here, before any write.
2. **apply**: new and changed records go through the loaders' sink, like `ownergraph load`. Stakes keep
   their history: a changed stake ends its current period on the snapshot date and a new period starts
   that day; a stake a snapshot no longer reports is ended on the snapshot date by a Provenance record of
   the source ("absent from the snapshot of ...", with the run that ended it). Nothing is deleted: a
   party a source drops is marked (`absent_from`), and what the source last said stays on its
   SourceRecord. List memberships a source stops stating end that day.
3. **recompute**: the materialised closures move to the snapshot date, recomputing only the parties
   downstream of what changed (graph/incremental.py); verdict changes are logged (graph/changes.py).
4. **remember**: what the source said is written last (SourceRecord per group, SourceState per source).
   Every step before it can be repeated with the same result, so a run killed anywhere and run again
   ends where one clean run would.

What a source said last time is kept in the graph, one (:SourceRecord {source, rkey, parts, start,
interest}) per group, not as a marker on every Provenance node: a nightly run then writes only the
groups that changed (a `last_seen` marker would rewrite all ~1M records every night), and reading the
state back is one indexed scan streamed into a dict (about 3 s and a few hundred MB per million groups).
Provenance keys also name the file and line, which move from one snapshot to the next; group keys don't.

Runs are recorded as (:RefreshRun) nodes; one run at a time, under an exclusive lock file in the data
directory; a second refresh or scheduler refuses while it is held.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import pickle
import secrets
import signal
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from croniter import croniter

from ownergraph.graph import changes as change_log
from ownergraph.graph import incremental
from ownergraph.graph.model import PartyRecord, RecordError, StakeRecord
from ownergraph.graph.policy import load_policy
from ownergraph.graph.store import Store, connect, native
from ownergraph.loaders import formats
from ownergraph.loaders.records import Reject
from ownergraph.loaders.sink import RejectsFile, Sink
from ownergraph.loaders.sources import RefreshConfig, RefreshSettings, Snapshot, load_config, pending

LOCK, SCHEDULER_LOCK = "refresh.lock", "refresh-scheduler.lock"
PAGE = 5_000
log = logging.getLogger(__name__)


class RefreshBusy(RuntimeError):
    """Another refresh (or scheduler) holds the lock."""


class SnapshotRefused(RuntimeError):
    """A snapshot that looks truncated: it drops more of what the source said than its source allows."""


@contextmanager
def locked(settings: RefreshSettings, name: str = LOCK) -> Iterator[Path]:
    """Hold an exclusive lock file under the data directory, or raise RefreshBusy at once."""
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshBusy(f"another refresh holds {path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        handle.close()


# -- stage and diff -------------------------------------------------------------------------------

@dataclass
class Said:
    """What a source said about one group last time, and where the refresh put it."""

    parts: list[str]
    start: date | None = None
    interest: str | None = None
    lists: list[str] = field(default_factory=list)


@dataclass
class Diff:
    snapshot: Snapshot
    first: bool
    new: dict[str, list] = field(default_factory=dict)  # group key -> records
    changed: dict[str, list] = field(default_factory=dict)
    parts: dict[str, list[str]] = field(default_factory=dict)  # new and changed groups' fingerprints
    said: dict[str, Said] = field(default_factory=dict)  # what changed and dropped groups said before
    dropped: list[str] = field(default_factory=list)
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)
    before: dict[str, Said] = field(default_factory=dict)  # everything the source said last time


def group_of(item: PartyRecord | StakeRecord) -> tuple[str, str]:
    """(group key, fingerprint) of one record: what identifies it in its source, and what it says."""
    if isinstance(item, PartyRecord):
        key = f"p|{item.identifiers[0]}"
        content = (item.identifiers, item.name, item.kind, item.jurisdiction, item.headquarters,
                   item.nationalities, item.lists, item.addresses, item.status, item.reporting_exceptions)
    else:
        key = "|".join(["s", item.owner, item.owned, item.interest,
                        item.start.isoformat() if item.start else "", item.declares or ""])
        content = (item.share.encode(), item.end, item.counted, item.components)
    return key, hashlib.blake2b(repr(content).encode(), digest_size=8).hexdigest()


def read_state(store: Store, source: str) -> dict[str, Said]:
    out = {}
    for row in store.stream("refresh/state_read", source=source):
        out[row["rkey"]] = Said(list(row["parts"] or []), native(row["start"]), row["interest"],
                                list(row["lists"] or []))
    return out


def stage(snapshot: Snapshot, said: dict[str, Said], first: bool) -> Diff:
    """Read a snapshot and compare it with what its source said last time (writes nothing)."""
    source = snapshot.source
    fmt = formats.detect(snapshot.path) if source.format == "auto" else source.format
    diff = Diff(snapshot, first)
    seen: dict[str, str | list[str]] = {}
    held: dict[str, list] = defaultdict(list)
    for item in formats.reader(fmt)(snapshot.path):
        if isinstance(item, Reject):
            diff.rejects.append(item)
            continue
        key, print_ = group_of(item)
        known = seen.get(key)
        seen[key] = print_ if known is None else (known + [print_] if isinstance(known, list) else [known, print_])
        before = said.get(key)
        if before is None or print_ not in before.parts:
            held[key].append(item)
    again = set()
    for key, prints in seen.items():
        parts = sorted(prints) if isinstance(prints, list) else [prints]
        before = said.get(key)
        if before is not None and before.parts == parts:
            diff.unchanged += 1
            continue
        (diff.new if before is None else diff.changed)[key] = held.get(key, [])
        diff.parts[key] = parts
        if before is not None:
            diff.said[key] = before
        if len(held.get(key, [])) < len(parts):
            again.add(key)
    if source.kind == "snapshot":
        diff.dropped = [k for k in said if k not in seen]
        diff.said.update({k: said[k] for k in diff.dropped})
        stakes_before = sum(1 for k in said if k.startswith("s|"))
        stakes_dropped = sum(1 for k in diff.dropped if k.startswith("s|"))
        if stakes_before and stakes_dropped / stakes_before > source.max_drop:
            raise SnapshotRefused(
                f"{source.name} {snapshot.date}: {snapshot.path.name} leaves out {stakes_dropped} of the "
                f"{stakes_before} stakes it reported last time (more than max_drop {source.max_drop:.0%}); "
                "refused as probably truncated")
    if again:  # a group with several records of which only some changed: read the others back
        regroup: dict[str, list] = defaultdict(list)
        for item in formats.reader(fmt)(snapshot.path):
            if not isinstance(item, Reject) and group_of(item)[0] in again:
                regroup[group_of(item)[0]].append(item)
        for key in again:
            (diff.new if key in diff.new else diff.changed)[key] = regroup[key]
    return diff


# -- apply ----------------------------------------------------------------------------------------

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
    report = SourceReport(name, day.isoformat(), str(snap.path), first, unchanged=diff.unchanged)
    roots: incremental.Roots = defaultdict(set)
    sink = Sink(store, RejectsFile(rejects), batch_size)
    for reject in diff.rejects:
        sink.reject(reject)
    groups = {**diff.new, **diff.changed}
    # stakes: where each new or changed group goes (its period), and which periods end today
    ending: list[str] = [diff.said[k].interest for k in diff.dropped if k.startswith("s|") and diff.said[k].interest]
    placed: dict[str, date | None] = {}
    for key, records in groups.items():
        if not key.startswith("s|"):
            continue
        before = diff.said.get(key)
        start, ends_previous = period(records, before, first, day)
        placed[key] = start
        if ends_previous:
            ending.append(before.interest)
    for i in range(0, len(ending), PAGE):
        for row in store.run("refresh/stakes_end", keys=ending[i:i + PAGE], date=day, source=name, run=run,
                             seq=time.time_ns()):
            roots[row["owned"]].add(row["interest"])
            report.stakes_ended += 1
    for key, records in groups.items():
        for record in records:
            if isinstance(record, PartyRecord):
                sink.add(record if first else replace(record, lists=()))
            else:
                sink.add(restate(record, placed[key], diff.said.get(key), day))
    summary = sink.finish()
    report.rejected = summary.rejected_total
    report.rejects_file = str(rejects) if summary.rejected_total else None
    # where each stake group landed; parties' keys; listings
    stake_rows = [{"rkey": k, "owner": r[0].owner, "owned": r[0].owned, "type": r[0].interest, "start": placed[k],
                   "declares": r[0].declares} for k, r in groups.items() if k.startswith("s|")]
    landed: dict[str, str] = {}
    for i in range(0, len(stake_rows), PAGE):
        for row in store.run("refresh/stake_keys", rows=stake_rows[i:i + PAGE]):
            landed[row["rkey"]] = row["interest"]
            roots[row["owned"]].add(row["interest"])
    party_lists: dict[str, list[str]] = {}
    for key, records in groups.items():
        if key.startswith("p|"):
            party_lists[key] = sorted({n for r in records for n in r.lists})
    if not first:
        added = [{"id": k[2:], "lists": sorted(set(v) - set(diff.said[k].lists if k in diff.said else []))}
                 for k, v in party_lists.items()]
        removed = [{"id": k[2:], "lists": sorted(set(diff.said[k].lists) - set(v))}
                   for k, v in party_lists.items() if k in diff.said]
        removed += [{"id": k[2:], "lists": diff.said[k].lists} for k in diff.dropped
                    if k.startswith("p|") and diff.said[k].lists]
        _in_pages(store, "refresh/listings_add", [r for r in added if r["lists"]], date=day, source=name)
        _in_pages(store, "refresh/listings_end", [r for r in removed if r["lists"]], date=day, run=run)
    changed_ids = sorted({k[2:] for k in party_lists} | {k[2:] for k in diff.dropped if k.startswith("p|")})
    for i in range(0, len(changed_ids), PAGE):
        for row in store.run("refresh/party_keys", ids=changed_ids[i:i + PAGE]):
            if row["key"] is not None:
                roots[row["key"]].add(f"party:{row['key']}")
    absent = [k[2:] for k in diff.dropped if k.startswith("p|")]
    _in_pages(store, "refresh/parties_absent", absent, key="ids", source=name, date=day)
    _in_pages(store, "refresh/parties_present", [k[2:] for k in diff.new if k.startswith("p|")], key="ids",
              source=name)
    report.parties_new = sum(1 for k in diff.new if k.startswith("p|"))
    report.parties_changed = sum(1 for k in diff.changed if k.startswith("p|"))
    report.parties_absent = len(absent)
    report.stakes_new = sum(1 for k in diff.new if k.startswith("s|"))
    report.stakes_changed = sum(1 for k in diff.changed if k.startswith("s|"))
    state = []
    for key in groups:
        parts = diff.parts[key]
        if key.startswith("p|"):
            first_record = groups[key][0]
            said = {"name": first_record.name, "kind": first_record.kind, "jurisdiction": first_record.jurisdiction,
                    "headquarters": first_record.headquarters, "nationalities": list(first_record.nationalities),
                    "lists": party_lists[key], "status": first_record.status}
            state.append({"rkey": key, "kind": "party", "parts": parts, "hash": _hash(parts), "start": None,
                          "interest": None, "lists": party_lists[key], "party": key[2:], "said": json.dumps(said)})
        else:
            interest = landed.get(key)
            # a stake whose parties are unknown did not land: remembered as unsaid, so it is tried again
            state.append({"rkey": key, "kind": "stake", "parts": parts if interest else [],
                          "hash": _hash(parts) if interest else "", "start": placed[key], "interest": interest,
                          "lists": [], "party": None, "said": None})
    return Applied(diff, report, dict(roots), state)


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


def _hash(parts: list[str]) -> str:
    return hashlib.blake2b("".join(parts).encode(), digest_size=8).hexdigest()


def _in_pages(store: Store, statement: str, items: list, key: str = "rows", **params) -> None:
    for i in range(0, len(items), PAGE):
        store.run(statement, **{key: items[i:i + PAGE]}, **params)


def said_before(store: Store, source: str, work: Path) -> dict[str, Said]:
    """What a source said last time: from the local copy `keep_said` wrote when it belongs to the run that
    last remembered the source (SourceState), else read back from the graph (the reference)."""
    state = store.run("refresh/source_state_get", source=source)[0]
    path = work / "state" / f"{source}.pickle"
    try:
        with open(path, "rb") as handle:
            header = pickle.load(handle)
            if header == {"source": source, "run": state["run"], "snapshot": str(native(state["snapshot"]))}:
                return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        pass
    return read_state(store, source)


def keep_said(applied: Applied, run: str, work: Path) -> None:
    """A local copy of what the source has now said, so the next run need not read it back from the graph
    (about 60k records a second); written after `remember`, replaced atomically, only a cache."""
    said = dict(applied.diff.before)
    for key in applied.diff.dropped:
        said.pop(key, None)
    for row in applied.state:
        said[row["rkey"]] = Said(list(row["parts"]), row["start"], row["interest"], list(row["lists"]))
    folder = work / "state"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{applied.report.source}.pickle"
    partial = path.with_name(path.name + ".part")
    header = {"source": applied.report.source, "run": run, "snapshot": applied.diff.snapshot.date.isoformat()}
    with open(partial, "wb") as handle:
        pickle.dump(header, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(said, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def remember(store: Store, applied: Applied, run: str) -> None:
    """Write what the source said (last: a run stopped before this is redone from the same diff)."""
    name, day = applied.report.source, applied.diff.snapshot.date
    _in_pages(store, "refresh/state_write", applied.state, source=name, date=day, run=run)
    _in_pages(store, "refresh/state_gone", applied.diff.dropped, key="rkeys", source=name, date=day, run=run)
    store.run("refresh/source_state_set", source=name, date=day, run=run, path=str(applied.diff.snapshot.path),
              kind=applied.diff.snapshot.source.kind)


# -- the run --------------------------------------------------------------------------------------

@dataclass
class RunReport:
    id: str
    status: str = "running"
    error: str | None = None
    sources: list[SourceReport] = field(default_factory=list)
    closures: list[dict] = field(default_factory=list)
    changes: int = 0
    webhook: dict = field(default_factory=dict)


def refresh(settings: RefreshSettings, config: RefreshConfig | Path | None = None, *, today: date | None = None,
            only: set[str] | None = None, store: Store | None = None) -> RunReport:
    """One refresh run under the lock; returns its report (status failed with the error when it fails).
    Raises RefreshBusy when another run holds the lock."""
    if not isinstance(config, RefreshConfig):
        config = load_config(Path(config or settings.refresh_config))
    today = today or date.today()
    with locked(settings):
        own = store is None
        store = store or connect(settings)
        try:
            return _run(store, settings, config, today, only)
        finally:
            if own:
                store.close()


def _run(store: Store, settings: RefreshSettings, config: RefreshConfig, today: date, only: set[str] | None) -> RunReport:
    for name in sorted(n for n in _schema_names()):
        store.run_auto(name)
    store.apply_schema()
    run = RunReport(f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}")
    store.run("refresh/run_start", id=run.id, config=json.dumps(config.model_dump(mode="json")),
              host=socket.gethostname())
    store.run("refresh/runs_interrupted", id=run.id)
    work = Path(settings.data_dir) / "refresh"
    try:
        policies = [load_policy(p) for p in config.policies]
        sources = [s for s in config.sources if only is None or s.name in only]
        by_day: dict[date, list[Snapshot]] = defaultdict(list)
        for source in sources:
            last = native(store.run("refresh/source_state_get", source=source.name)[0]["snapshot"])
            for snap in pending(source, last, today, work / "staging", settings.refresh_fetch_timeout):
                by_day[snap.date].append(snap)
        for day in sorted(by_day):
            staged = []
            for snap in by_day[day]:
                first = native(store.run("refresh/source_state_get", source=snap.source.name)[0]["snapshot"]) is None
                began = time.monotonic()
                said = said_before(store, snap.source.name, work) if not first else {}
                read_s = time.monotonic() - began
                staged.append(stage(snap, said, first))
                staged[-1].before = said
                staged[-1].seconds = {"read": round(read_s, 2), "stage": round(time.monotonic() - began - read_s, 2)}
            done = []
            for diff in staged:
                rejects = work / "rejects" / f"{run.id}-{diff.snapshot.source.name}-{day.isoformat()}.csv"
                began = time.monotonic()
                done.append(apply(store, diff, run.id, rejects, settings.batch_size))
                done[-1].report.seconds = {**diff.seconds, "apply": round(time.monotonic() - began, 2)}
                run.sources.append(done[-1].report)
            _recompute(store, settings, run, policies, incremental.merge(*(a.roots for a in done)), day)
            for applied in done:
                began = time.monotonic()
                remember(store, applied, run.id)
                keep_said(applied, run.id, work)
                applied.report.seconds["remember"] = round(time.monotonic() - began, 2)
        if not by_day or max(by_day) < today:
            _recompute(store, settings, run, policies, {}, today)
        run.status = "succeeded"
    except Exception as exc:
        log.exception("refresh %s failed", run.id)
        run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
    delivery = change_log.deliver(store, settings.refresh_webhook_url, run.id, settings.refresh_webhook_attempts,
                                  settings.refresh_webhook_backoff, settings.refresh_webhook_timeout)
    run.webhook = delivery.as_dict()
    store.run("refresh/run_finish", id=run.id, status=run.status, error=run.error,
              sources=json.dumps([asdict(s) for s in run.sources]), closures=json.dumps(run.closures),
              changes=run.changes, webhook=json.dumps(run.webhook))
    return run


def _recompute(store: Store, settings: RefreshSettings, run: RunReport, policies, roots, day: date) -> None:
    def keep(changes: list[incremental.Change]) -> None:
        run.changes += change_log.record(store, run.id, changes, bool(settings.refresh_webhook_url))

    for result in incremental.update(store, policies, roots, day, keep):
        run.closures.append({"policy": result.policy, "as_of": day.isoformat(), "mode": result.mode,
                             "region": result.region, "restricted": result.restricted,
                             "indeterminate": result.indeterminate, "changes": len(result.changes),
                             "seconds": round(result.seconds, 3)})


def _schema_names() -> list[str]:
    from ownergraph.cypher import names

    return names("refresh/schema")


def history(store: Store, limit: int = 20) -> list[dict]:
    """The latest refresh runs, newest first (for `ownergraph refresh --history`, GET /v1/refresh/runs)."""
    out = []
    for row in store.run("refresh/runs_history", limit=limit):
        item = dict(row)
        for name in ("started", "ended"):
            item[name] = native(item[name]).isoformat() if item[name] is not None else None
        for name in ("sources", "closures", "webhook", "config"):
            item[name] = json.loads(item[name]) if item[name] else None
        out.append(item)
    return out


# -- scheduling -----------------------------------------------------------------------------------

def run_scheduled(settings: RefreshSettings, cron: str | None = None, *, config: Path | None = None,
                  stop: threading.Event | None = None, max_runs: int | None = None) -> int:
    """Run refreshes on a schedule until stopped (SIGTERM/SIGINT, `stop`, or `max_runs` runs): on `cron`
    for every source, or on each source's own schedule. One scheduler per data directory (a second one
    refuses); a run due while a manual refresh holds the lock is skipped. Returns the number of runs."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    path = Path(config or settings.refresh_config)
    with locked(settings, SCHEDULER_LOCK):
        loaded = load_config(path)
        if cron is not None and not croniter.is_valid(cron):
            raise ValueError(f"not a cron expression: {cron!r}")
        plans = {s.name: croniter(cron or s.schedule, datetime.now()) for s in loaded.sources}
        due = {name: plan.get_next(datetime) for name, plan in plans.items()}
        runs = 0
        while not stop.is_set() and (max_runs is None or runs < max_runs):
            when = min(due.values()) if due else None
            if when is None or stop.wait(max(0.0, (when - datetime.now()).total_seconds())):
                break
            names = {n for n, t in due.items() if t <= when}
            for name in names:
                due[name] = plans[name].get_next(datetime)
            try:
                report = refresh(settings, load_config(path), only=names)
                log.info("scheduled refresh %s: %s", report.id, report.status)
            except RefreshBusy as exc:
                log.warning("scheduled refresh skipped: %s", exc)
            except Exception:  # the database down, the sources file broken: the next slot tries again
                log.exception("scheduled refresh could not run")
            runs += 1
        return runs

