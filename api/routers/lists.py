"""A policy's materialised closure as lists: its state, and its restricted and indeterminate parties.

The list is read from the closure `ownergraph closure` builds (graph/materialise.py), never computed on
demand: listing every restricted party means running the closure over the whole graph. A policy without a
current closure answers 409 saying to build it; one being recomputed after a write answers 503.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from ownergraph.api.deps import Limit, Offset, StoreDep
from ownergraph.api.errors import InvalidParameter
from ownergraph.api.models import ErrorBody
from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.policy import Policy, builtin_names, builtin_policies
from ownergraph.graph.store import Store, native

router = APIRouter(prefix="/v1/policies", tags=["verdicts"])
ATTEMPTS = 3  # reads of a page that overlapped a closure switch, before giving up with 503

State = Literal["current", "none", "stale", "withdrawn", "on-demand"]
Status = Literal["restricted", "indeterminate"]


class ClosureNotMaterialised(OwnergraphError):
    """The policy has no current materialised closure to list from."""

    status = 409

    def __init__(self, policy: str, message: str) -> None:
        super().__init__(message)
        self.policy = policy

    def detail(self) -> dict:
        return {**super().detail(), "policy": self.policy}


class ClosureBusy(ClosureNotMaterialised):
    """The closure is withdrawn while a write to the graph recomputes it: it comes back when the write ends."""

    status = 503


class ClosureState(BaseModel):
    policy: str
    policy_hash: str = Field(description="The hash of the built-in policy's definition")
    state: State = Field(description="current: lists and verdict reads come from it; none: never built; stale: "
                                     "built for another definition of the policy; withdrawn: a write to the graph "
                                     "is recomputing it (or failed: then `dirty`); on-demand: an integrated policy, "
                                     "never materialised")
    message: str
    version: str | None = Field(default=None, description="The closure version readers see (policy@hash@date@n)")
    as_of: date | None = Field(default=None, description="The date the closure holds for")
    computed_at: str | None = Field(default=None, description="When it was built or last recomputed (UTC)")
    restricted: int | None = None
    indeterminate: int | None = None
    rounds: int | None = None
    dirty: bool = False


class ListedParty(BaseModel):
    id: str = Field(description="The party's key")
    name: str | None = None
    kind: str | None = None
    country: str | None = None
    lists: list[str] = Field(default_factory=list, description="Lists it is on, on the closure's date")
    status: Status
    reason: str | None = Field(default=None, description="seed, ownership or control")
    round: int | None = Field(default=None, description="The round it entered the closure in (0: a seed)")
    seed: bool = False


class PolicyParties(BaseModel):
    policy: str
    policy_hash: str
    as_of: date = Field(description="The closure's date")
    version: str
    computed_at: str | None
    status: Status | None = Field(description="The status asked for; null: both")
    total: int
    limit: int
    offset: int
    items: list[ListedParty]


PolicyName = Annotated[str, Path(max_length=100, description="A built-in policy name",
                                 json_schema_extra={"enum": builtin_names()})]
ERRORS: dict[int | str, dict[str, Any]] = {409: {"model": ErrorBody}, 422: {"model": ErrorBody},
                                           503: {"model": ErrorBody}}


def _policy(name: str) -> Policy:
    known = builtin_policies()
    if name not in known:
        raise InvalidParameter("policy", f"no built-in policy named {name!r} (built-ins: {', '.join(sorted(known))})")
    return known[name]


def _moment(value: Any) -> str | None:
    return native(value).isoformat() if value is not None else None


def closure_state(store: Store, policy: Policy) -> ClosureState:
    """Whether the policy's closure can be read, and why not."""
    if policy.method != "aggregate":
        return ClosureState(policy=policy.name, policy_hash=policy.hash(), state="on-demand",
                            message=f"{policy.name} uses the {policy.method} method: it is evaluated party by party, "
                                    "on demand, and has no materialised closure")
    row = store.run("api/closure_state", policy=policy.name)[0]
    facts: dict[str, Any] = dict(as_of=native(row["as_of"]), computed_at=_moment(row["computed_at"]), restricted=row["restricted"],
                 indeterminate=row["indeterminate"], rounds=row["rounds"], dirty=row["dirty"])
    base: dict[str, Any] = dict(policy=policy.name, policy_hash=policy.hash())
    if row["version"] is not None and row["policy_hash"] == policy.hash():
        return ClosureState(**base, state="current", version=row["version"], **facts,
                            message=f"the closure of {policy.name} as of {facts['as_of']}")
    if row["version"] is not None:
        return ClosureState(**base, state="stale", version=row["version"], **facts,
                            message=f"the materialised closure of {policy.name} was built for another definition "
                                    f"of the policy (hash {row['policy_hash']}): run `ownergraph closure` to rebuild it")
    if row["withdrawn"] is not None or row["updating"] is not None:
        message = (f"the closure of {policy.name} was withdrawn by a write to the graph that did not finish: "
                   "run `ownergraph closure` to rebuild it") if row["dirty"] else (
                   f"the closure of {policy.name} is being recomputed after a write to the graph; try again shortly")
        return ClosureState(**base, state="withdrawn", **facts, message=message)
    return ClosureState(**base, state="none", message=f"{policy.name} has no materialised closure: "
                                                      "run `ownergraph closure` to build it")


@router.get("/{name}/closure", response_model=ClosureState, responses=ERRORS)
def closure(name: PolicyName, store: StoreDep) -> ClosureState:
    """The state of the policy's materialised closure: its version, date, when it was computed and its counts
    (the data a listed or materialised verdict reflects), or why there is none."""
    return closure_state(store, _policy(name))


@router.get("/{name}/parties", response_model=PolicyParties, responses=ERRORS)
def parties(name: PolicyName, store: StoreDep,
            status: Annotated[Status | None, Query(description="restricted or indeterminate; both when absent")] = None,
            limit: Limit = 50, offset: Offset = 0) -> PolicyParties:
    """The restricted (and indeterminate) parties of a built-in aggregate policy, by name, a page at a time,
    read from its materialised closure (as of the closure's date). 409 when the policy has no current
    closure (run `ownergraph closure`), 503 while a write to the graph recomputes it."""
    policy = _policy(name)
    for _ in range(ATTEMPTS):
        state = closure_state(store, policy)
        if state.state == "withdrawn" and not state.dirty:
            raise ClosureBusy(policy.name, state.message)
        if state.state != "current":
            raise ClosureNotMaterialised(policy.name, state.message)
        row = store.run("api/closure_parties", policy=policy.name, policy_hash=policy.hash(), status=status,
                        limit=limit, offset=offset)[0]
        stable = (row["version"], row["computed_at"]) == (row["version_after"], row["computed_at_after"])
        if stable and row["version"] is not None and row["policy_hash"] == policy.hash():
            items = [ListedParty(id=r["key"], **{k: r[k] for k in ("name", "kind", "country", "lists", "status",
                                                                     "reason", "round", "seed")})
                     for r in row["items"]]
            return PolicyParties(policy=policy.name, policy_hash=policy.hash(), as_of=native(row["as_of"]),
                                 version=row["version"], computed_at=_moment(row["computed_at"]), status=status,
                                 total=row["total"], limit=limit, offset=offset, items=items)
    raise ClosureBusy(policy.name, f"the closure of {policy.name} changed while it was read; try again shortly")
