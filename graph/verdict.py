"""The verdict: what `ownergraph verdict --json`, the API and the page return (SPEC.md §6)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class ShareRange(BaseModel):
    min: float
    max: float
    min_exclusive: bool = False
    max_exclusive: bool = False


class SourceRef(BaseModel):
    source: str
    record: str


class PartyRef(BaseModel):
    id: str
    name: str | None = None


class PathEdge(BaseModel):
    owner: str
    owned: str
    owner_name: str | None = None
    owned_name: str | None = None
    share: ShareRange
    interest: str
    start: date | None = None
    end: date | None = None
    sources: list[SourceRef] = Field(default_factory=list)


class ControlPath(BaseModel):
    edges: list[PathEdge]
    product: float | None = None  # integrated method: the share this path carries, in percent


class Threshold(BaseModel):
    value: float
    inclusive: bool


class Holder(BaseModel):
    """A restricted (or possibly restricted) direct holder of the party and its counted share."""

    party: PartyRef
    share: ShareRange
    status: Literal["restricted", "indeterminate"]


class Verdict(BaseModel):
    entity: PartyRef
    policy: str
    policy_hash: str
    as_of: date
    verdict: Literal["restricted", "clear", "indeterminate"]
    reason: Literal["seed", "ownership", "control"] | None
    restricted_share: ShareRange
    threshold: Threshold
    paths: list[ControlPath] = Field(default_factory=list)
    explanation: list[str] = Field(default_factory=list)
    # additions to SPEC.md §6, for investigators
    method: Literal["aggregate", "integrated"] = "aggregate"
    engine: str = "cypher"
    holders: list[Holder] = Field(default_factory=list)
    deciding_edges: list[PathEdge] = Field(default_factory=list)  # indeterminate: ranged edges that decide it
    # points from the threshold to the deciding bound: clear, threshold minus max; otherwise min minus threshold
    margin: float | None = None
