"""Refreshes on a schedule: one scheduler per data directory, runs skipped while a manual one holds the lock."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from pathlib import Path

from croniter import croniter

from ownergraph.graph.errors import RefreshBusy
from ownergraph.loaders.refresh.lock import SCHEDULER_LOCK, locked
from ownergraph.loaders.refresh.run import refresh
from ownergraph.loaders.sources import RefreshSettings, load_config

log = logging.getLogger(__name__)


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
