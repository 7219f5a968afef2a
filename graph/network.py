"""An ownership network held in memory: parties and stakes, built from loader records.

It applies the same identity and stake rules as the Neo4j store (one party per identifier; one stake per
owner, owned, type, start and declaration; the most recent statement gives its values; every source kept),
so the reference engine and the Cypher engine see the same graph. Used for `--engine memory` on small
files (`loaders/memory.py` reads them) and as the oracle in tests. It takes records, never files: data
flows from loaders to the graph, not back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ownergraph.graph.model import PartyRecord, StakeRecord, country_of
from ownergraph.graph.semantics import Edge, PartyFacts

EPOCH = date(1, 1, 1)


@dataclass
class Network:
    parties: dict[str, PartyFacts] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # identifier -> party key
    locations: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # key -> (hq, jurisdiction)
    _statements: dict[str, list] = field(default_factory=dict)

    def key_of(self, identifier: str) -> str | None:
        return self.names.get(identifier)

    def add_party(self, record: PartyRecord) -> str:
        known = sorted({self.names[i] for i in record.identifiers if i in self.names})
        key = known[0] if known else record.identifiers[0]
        old = self.parties.get(key)
        kind = record.kind if record.kind != "unknown" or old is None else old.kind
        headquarters = record.headquarters
        jurisdiction = record.jurisdiction
        # keep what earlier records said when this one is silent
        prior = self.locations.get(key, (None, None))
        headquarters, jurisdiction = headquarters or prior[0], jurisdiction or prior[1]
        self.locations[key] = (headquarters, jurisdiction)
        listings = _listings(old.listings if old else (), record)
        self.parties[key] = PartyFacts(
            key=key,
            name=record.name or (old.name if old else None),
            kind=kind,
            country=None if kind == "person" else country_of(jurisdiction, headquarters),
            nationalities=tuple(dict.fromkeys((old.nationalities if old else ()) + record.nationalities)),
            listings=listings,
            reporting_exceptions=tuple(dict.fromkeys((old.reporting_exceptions if old else ()) + record.reporting_exceptions)),
        )
        for identifier in record.identifiers:
            self.names.setdefault(identifier, key)
        return key

    def add_stake(self, record: StakeRecord, sequence: int = 0) -> str | None:
        owner, owned = self.key_of(record.owner), self.key_of(record.owned)
        if owner is None or owned is None:
            return None
        key = "|".join([owner, owned, record.interest, record.start.isoformat() if record.start else "",
                        record.declares or ""])
        statements = self._statements.setdefault(key, [])
        statements[:] = [s for s in statements if (s[2].source, s[2].record) !=
                         (record.provenance.source, record.provenance.record)]
        statements.append((record.provenance.statement_date or EPOCH, sequence, record.provenance, record))
        statements.sort(key=lambda s: (s[0], s[1]), reverse=True)
        top: StakeRecord = statements[0][3]
        lo, hi = top.share.encode()
        self.edges[key] = Edge(
            key=key, owner=owner, owned=owned, type=record.interest, lo=lo, hi=hi,
            start=record.start, end=top.end, counted=top.counted,
            sources=tuple((s[2].source, s[2].record) for s in statements),
            share_min=float(top.share.lo), share_max=float(top.share.hi),
            min_open=top.share.lo_open, max_open=top.share.hi_open,
        )
        return key

    def name(self, key: str) -> str | None:
        party = self.parties.get(key)
        return party.name if party else None


def from_records(items: Iterable) -> Network:
    """A network from loader records; anything else (a reader's rejects) is skipped. `place` also
    returns the stakes it could not place."""
    return place(items)[0]


def place(items: Iterable) -> tuple[Network, list[StakeRecord]]:
    """A network from loader records, and the stakes whose owner or owned party no record named (the
    load rejects them as unknown parties). Stakes may come before their parties, as in the store."""
    network = Network()
    waiting = []
    for sequence, item in enumerate(items):
        if isinstance(item, PartyRecord):
            network.add_party(item)
        elif isinstance(item, StakeRecord):
            if network.add_stake(item, sequence) is None:
                waiting.append((sequence, item))
    unplaced = [item for sequence, item in waiting if network.add_stake(item, sequence) is None]
    return network, unplaced


def _listings(held: tuple[tuple[str, date | None, date | None], ...],
              record: PartyRecord) -> tuple[tuple[str, date | None, date | None], ...]:
    """A party's list memberships after a record: one per list and start (as in load/parties), whose end
    the latest record stating the membership sets (no end given: open again)."""
    out = {(name, start): end for name, start, end in held}
    for listing in record.memberships():
        known = (listing.name, listing.start)
        out[known] = listing.end
    return tuple((name, start, end) for (name, start), end in out.items())
