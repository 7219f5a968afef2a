"""One refresh run: every pending snapshot staged, applied, recomputed and remembered, the run recorded
and its verdict changes delivered to the webhook."""

from __future__ import annotations

import json
import logging
import secrets
import socket
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ownergraph.graph import changes as change_log
from ownergraph.graph import incremental, writes
from ownergraph.graph.policy import load_policy
from ownergraph.graph.store import Store, connect, native
from ownergraph.loaders.refresh.apply import SourceReport, apply
from ownergraph.loaders.refresh.lock import locked
from ownergraph.loaders.refresh.stage import stage
from ownergraph.loaders.refresh.state import keep_said, remember, said_before
from ownergraph.loaders.sources import RefreshConfig, RefreshSettings, Snapshot, load_config, pending

log = logging.getLogger(__name__)


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
            write = writes.begin(store)  # the closures are withdrawn before the day's first write
            try:
                for diff in staged:
                    rejects = work / "rejects" / f"{run.id}-{diff.snapshot.source.name}-{day.isoformat()}.csv"
                    began = time.monotonic()
                    done.append(apply(store, diff, run.id, rejects, settings.batch_size))
                    done[-1].report.seconds = {**diff.seconds, "apply": round(time.monotonic() - began, 2)}
                    run.sources.append(done[-1].report)
                roots = incremental.merge(*(a.roots for a in done))
                _recompute(store, settings, run, policies, roots, day, write.token)
                # closures of other policies: recomputed on their own dates from the same roots
                writes.finish(store, write, roots, done=[p.name for p in policies])
            except BaseException:
                writes.abandon(store, write)
                raise
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


def _recompute(store: Store, settings: RefreshSettings, run: RunReport, policies, roots, day: date,
               token: str | None = None) -> None:
    def keep(changes: list[incremental.Change]) -> None:
        run.changes += change_log.record(store, run.id, changes, bool(settings.refresh_webhook_url))

    for result in incremental.update(store, policies, roots, day, keep, token=token):
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
