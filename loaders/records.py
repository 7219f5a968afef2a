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


def reason_key(reason: str) -> str:
    """The reason without the record's own values, for counting rejects by reason."""
    return reason.split(":")[0].strip()


def unknown_party(record: StakeRecord) -> Reject:
    """The reject of a stake whose owner or owned party no record of the load named."""
    return Reject(record.provenance.source, record.provenance.record,
                  f"unknown party: {record.owner} or {record.owned} is not loaded", f"{record.owner} -> {record.owned}")
