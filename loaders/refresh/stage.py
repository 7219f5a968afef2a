"""Stage and diff: read a snapshot and compare it with what its source said last time (writes nothing)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.model import Listing, PartyRecord, StakeRecord
from ownergraph.loaders import reading
from ownergraph.loaders.records import Item, Reject
from ownergraph.loaders.sources import Snapshot


class SnapshotRefused(OwnergraphError, RuntimeError):
    """A snapshot that looks truncated: it drops more of what the source said than its source allows."""


class SnapshotUnreadable(OwnergraphError, RuntimeError):
    """A snapshot that cannot be read, or not to its end: the run fails before anything is written."""


@dataclass
class Said:
    """What a source said about one group last time, and where the refresh put it."""

    parts: list[str]
    start: date | None = None
    interest: str | None = None
    lists: list[str] = field(default_factory=list)
    listings: tuple[str, ...] = ()  # dated memberships, as `listing_text` writes them


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
    conflicts: reading.Conflicts = field(default_factory=reading.Conflicts)


def listing_text(listing: Listing) -> str:
    """A dated membership as the CSV `lists` column states it: `ofac-sdn@2020-01-01..2024-03-15`."""
    return f"{listing.name}@{listing.start.isoformat() if listing.start else ''}.." \
           f"{listing.end.isoformat() if listing.end else ''}"


def group_of(item: PartyRecord | StakeRecord) -> tuple[str, str]:
    """(group key, fingerprint) of one record: what identifies it in its source, and what it says."""
    if isinstance(item, PartyRecord):
        key = f"p|{item.identifiers[0]}"
        content: tuple = (item.identifiers, item.name, item.kind, item.jurisdiction, item.headquarters,
                   item.nationalities, item.lists, item.addresses, item.status, item.reporting_exceptions)
        if item.listings:  # a record without dated memberships keeps the fingerprint it had before them
            content += (tuple(sorted(listing_text(m) for m in item.listings)),)
    else:
        key = "|".join(["s", item.owner, item.owned, item.interest,
                        item.start.isoformat() if item.start else "", item.declares or ""])
        content = (item.share.fingerprint(), item.end, item.counted, item.components)
    return key, hashlib.blake2b(repr(content).encode(), digest_size=8).hexdigest()


def stage(snapshot: Snapshot, said: dict[str, Said], first: bool) -> Diff:
    """Read a snapshot and compare it with what its source said last time (writes nothing)."""
    source = snapshot.source
    planned, unreadable = reading.plan([snapshot.path], source.format)
    if unreadable:
        raise SnapshotUnreadable(f"{source.name} {snapshot.date}: {unreadable[0].reason}")
    fmt = planned[0][1]
    diff = Diff(snapshot, first)
    seen: dict[str, str | list[str]] = {}
    held: dict[str, list] = defaultdict(list)
    for item in records(snapshot, fmt, diff.conflicts):
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
        for item in records(snapshot, fmt):
            if not isinstance(item, Reject) and group_of(item)[0] in again:
                regroup[group_of(item)[0]].append(item)
        for key in again:
            (diff.new if key in diff.new else diff.changed)[key] = regroup[key]
    return diff


def records(snapshot: Snapshot, fmt: str, conflicts: reading.Conflicts | None = None) -> Iterator[Item]:
    """The snapshot's records as `ownergraph load` reads them (over-long names and identifiers rejected);
    a file that cannot be read to its end raises SnapshotUnreadable naming it and the cause."""
    for item in reading.items(snapshot.path, fmt, conflicts):
        if isinstance(item, Reject) and item.location == "file":
            raise SnapshotUnreadable(f"{snapshot.source.name} {snapshot.date}: {item.source}: {item.reason}")
        yield item


def digest(parts: list[str]) -> str:
    return hashlib.blake2b("".join(parts).encode(), digest_size=8).hexdigest()
