"""The verdict-change log, and its delivery to a webhook.

Every change of a materialised verdict found by a refresh (party, policy, old and new status, the date,
the run, and the changed interests or parties that caused it) is a (:VerdictChange) node.
`changes_since` serves `GET /v1/changes?since=`; integrators poll with the time of their last poll,
since changes are ordered by when they were recorded (a backfill may record changes dated in the past).

When a webhook URL is set, each run POSTs the changes not delivered yet as JSON, retried with
exponential backoff; changes it did not accept stay pending and go with the next run's batch. A failing
webhook is reported in the run's record and never fails the refresh.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock

from ownergraph.graph.incremental import Change
from ownergraph.graph.store import Store, native, pages

PAGE = 1_000  # changes per webhook POST
log = logging.getLogger(__name__)


def record(store: Store, run: str, changes: list[Change], pending: bool) -> int:
    """Write the changes of one run; `pending` when a webhook is to receive them."""
    rows = [{"key": f"{c.policy}|{c.party}|{c.as_of.isoformat()}|{c.old}|{c.new}", "run": run, "policy": c.policy,
             "policy_hash": c.policy_hash, "party": c.party, "old": c.old, "new": c.new, "date": c.as_of,
             "causes": list(c.causes), "witness": list(c.witness)} for c in changes]
    for page in pages(rows, PAGE):
        store.run("refresh/changes_write", rows=page, pending=False if pending else None)
    return len(rows)


def changes_since(store: Store, since: date | datetime, policy: str | None = None, limit: int = 1000) -> list[dict]:
    """Verdict changes recorded at or after `since` (a date means its midnight, UTC), oldest first."""
    return [as_json(r) for r in store.run("refresh/changes_since", since=moment(since), policy=policy, limit=limit)]


def moment(since: date | datetime) -> datetime:
    """A date as its midnight, and a date-time without a zone, in UTC; any other zone is moved to UTC (Neo4j
    takes offsets up to 18 hours, Python up to 24), an instant beyond the calendar's ends to the end."""
    if not isinstance(since, datetime):
        since = datetime.combine(since, clock.min)
    if since.tzinfo is None:
        return since.replace(tzinfo=UTC)
    try:
        return since.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC instant Python holds
        return (datetime.min if since.year == 1 else datetime.max).replace(tzinfo=UTC)


def as_json(row: dict) -> dict:
    """One change as the API and the webhook give it."""
    return {
        "party": {"id": row["party"], "name": row["name"]},
        "policy": row["policy"], "policy_hash": row["policy_hash"],
        "old": row["old"], "new": row["new"],
        "date": _iso(row["date"]), "run": row["run"],
        "causes": list(row["causes"] or []), "witness": list(row["witness"] or []),
        "recorded_at": _iso(row["recorded_at"]),
    }


@dataclass
class Delivery:
    status: str  # none (no webhook or nothing to send) | delivered | failed
    changes: int = 0  # changes accepted
    attempts: int = 0
    error: str | None = None

    def as_dict(self) -> dict:
        return {"status": self.status, "changes": self.changes, "attempts": self.attempts, "error": self.error}


def deliver(store: Store, url: str | None, run: str, attempts: int = 5, backoff: float = 1.0,
            timeout: float = 10.0, sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """POST every pending change to the webhook, a page per request; never raises."""
    if not url:
        return Delivery("none")
    outcome = Delivery("none")
    try:
        while True:
            rows = store.run("refresh/changes_undelivered", limit=PAGE)
            if not rows:
                return outcome
            payload = {"run": run, "changes": [as_json(r) for r in rows]}
            ok, tries, error = post(url, payload, attempts, backoff, timeout, sleep)
            outcome.attempts += tries
            if not ok:
                outcome.status, outcome.error = "failed", error
                log.warning("webhook %s refused %d changes after %d attempts: %s", url, len(rows), tries, error)
                return outcome
            store.run("refresh/changes_delivered", keys=[r["key"] for r in rows])
            outcome.status = "delivered"
            outcome.changes += len(rows)
    except Exception as exc:  # the log stays; the next run sends what is still pending
        outcome.status, outcome.error = "failed", f"{type(exc).__name__}: {exc}"
        return outcome


def post(url: str, payload: dict, attempts: int, backoff: float, timeout: float,
         sleep: Callable[[float], None] = time.sleep) -> tuple[bool, int, str | None]:
    """POST JSON with retries: pauses of backoff, 2*backoff, 4*backoff... between attempts. A client
    error other than 408/429 is not retried. Returns (accepted, attempts made, last error)."""
    body = json.dumps(payload).encode("utf-8")
    error = None
    for attempt in range(1, max(1, attempts) + 1):
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "ownergraph-refresh"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
            return True, attempt, None
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                return False, attempt, error
        except (urllib.error.URLError, OSError) as exc:
            error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
    return False, max(1, attempts), error


def _iso(value):
    if value is None:
        return None
    return native(value).isoformat()
