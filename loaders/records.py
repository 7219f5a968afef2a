"""What a loader yields besides parties and stakes: a record it could not read."""

from __future__ import annotations

from dataclasses import dataclass

from ownergraph.graph.model import PartyRecord, StakeRecord


@dataclass(frozen=True)
class Reject:
    source: str  # the file (or source name)
    location: str  # "line 12", or a record id
    reason: str
    raw: str = ""


Item = PartyRecord | StakeRecord | Reject
