"""The nightly refresh: its runs, and the changes of materialised verdicts it found."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, BeforeValidator, Field

from ownergraph.api.deps import StoreDep
from ownergraph.api.models import ErrorBody
from ownergraph.graph import changes as change_log
from ownergraph.loaders.refresh import history

router = APIRouter(prefix="/v1", tags=["refresh"])
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def iso_moment(value: Any) -> Any:
    """An ISO 8601 date-time, or a calendar date (its midnight): not a timestamp, not other spellings."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_MOMENT.match(value):
        raise ValueError("expected an ISO 8601 date (YYYY-MM-DD) or date-time")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected an ISO 8601 date (YYYY-MM-DD) or date-time") from None


IsoMoment = Annotated[datetime | date, BeforeValidator(iso_moment)]


class SourceRun(BaseModel):
    source: str
    snapshot: str = Field(description="The date of the snapshot (or delta) applied")
    path: str
    first: bool = Field(description="The source's first snapshot (a baseline: nothing is ended)")
    parties_new: int
    parties_changed: int
    parties_absent: int = Field(description="Parties the source no longer reports (kept, marked absent)")
    stakes_new: int
    stakes_changed: int
    stakes_ended: int = Field(description="Stake periods ended on the snapshot date")
    unchanged: int
    rejected: int
    rejects_file: str | None = None
    seconds: dict[str, float] = Field(default_factory=dict, description="Time spent reading, staging, applying")


class RefreshRun(BaseModel):
    id: str
    started: str | None
    ended: str | None
    status: str = Field(description="running, succeeded or failed")
    error: str | None = None
    sources: list[SourceRun] | None = None
    closures: list[dict[str, Any]] | None = Field(default=None, description="Per policy and date: mode, region, counts")
    changes: int | None = Field(default=None, description="Verdict changes recorded by the run")
    webhook: dict[str, Any] | None = None


class RefreshRuns(BaseModel):
    runs: list[RefreshRun]


class PartyRef(BaseModel):
    id: str
    name: str | None = None


class VerdictChange(BaseModel):
    party: PartyRef
    policy: str
    policy_hash: str
    old: str
    new: str
    date: str = Field(description="The date from which the new verdict holds (the snapshot date)")
    run: str
    causes: list[str] = Field(description="Changed interests (keys), parties (party:KEY) or list memberships")
    witness: list[str] = Field(description="The interests that made (or had made) the party restricted")
    recorded_at: str | None


class VerdictChanges(BaseModel):
    since: str
    changes: list[VerdictChange]


@router.get("/refresh/runs", response_model=RefreshRuns)
def refresh_runs(store: StoreDep, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> RefreshRuns:
    """The latest refresh runs, newest first: start, end, status, error, per-source counts."""
    runs = []
    for row in history(store, limit):
        row.pop("config", None)
        runs.append(RefreshRun(**row))
    return RefreshRuns(runs=runs)


@router.get("/changes", response_model=VerdictChanges, responses={422: {"model": ErrorBody}})
def changes(store: StoreDep,
            since: Annotated[IsoMoment, Query(description="ISO 8601 date-time, or a date (its midnight, UTC): "
                                                         "changes recorded from then on")],
            policy: Annotated[str | None, Query(max_length=100, description="Only this policy's changes")] = None,
            limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> VerdictChanges:
    """Changes of materialised verdicts recorded at or after `since`, oldest first (poll with the time of
    the last change seen)."""
    moment = change_log.moment(since)
    found = change_log.changes_since(store, moment, policy, limit)
    return VerdictChanges(since=moment.isoformat(), changes=[VerdictChange(**c) for c in found])
