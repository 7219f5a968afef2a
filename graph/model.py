"""The records every loader produces and the store writes: parties, stakes and their provenance.

In Neo4j (see the README's architecture section):

    (:Identifier {id: "scheme:value", scheme, value})-[:IDENTIFIES]->(:Party {key, name, kind, ...})
    (:Party)-[:INTEREST {key, type, lo, hi, start, end, counted, sources, records}]->(:Party)
    (:Provenance {key, stake, source, record, statement_date, lo, hi, ...})   one per source record
    (:Party)-[:LISTED {start, end, source}]->(:List {name})

A party's key is the first identifier it was seen with; every identifier of it points at it, so two
sources naming the same LEI meet in one node. An INTEREST relationship is a stake: owner, owned, interest
type and start date (SPEC.md §2); the sources that state it are its Provenance nodes, and the values on
the relationship are those of the most recent statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ownergraph.graph.share import Share

PARTY_KINDS = ("company", "person", "state", "trust", "fund", "public-body", "arrangement", "unknown")

# BODS 0.4 interest types, plus GLEIF accounting consolidation.
INTEREST_TYPES = (
    "shareholding",
    "voting-rights",
    "appointment-of-board",
    "other-influence-or-control",
    "senior-managing-official",
    "settlor-of-trust",
    "trustee-of-trust",
    "protector-of-trust",
    "beneficiary-of-trust",
    "other-influence-or-control-of-trust",
    "rights-to-surplus-assets-on-dissolution",
    "rights-to-profit-or-income",
    "rights-granted-by-contract",
    "conditional-rights-granted-by-contract",
    "control-via-company-rules-or-articles",
    "control-by-legal-framework",
    "power-of-attorney",
    "nominee",
    "nominator",
    "enjoyment-and-use",
    "right-to-share-in-surplus-assets",
    "right-to-profit-or-income",
    "unknown-interest",
    "unpublished-interest",
    "consolidation",
    "fund-management",
)


class RecordError(ValueError):
    """A source record that cannot be loaded; the message is the reason written to the rejects file."""


@dataclass(frozen=True)
class Provenance:
    source: str  # e.g. "csv:demo/ownership.csv", "bods", "gleif-rr"
    record: str  # the record id, or the line number for line-oriented files
    statement_date: date | None = None
    url: str | None = None  # a link to the record at its source (FtM sourceUrl)


def list_name(name: str) -> str:
    """A list name as the store and the policies hold it: trimmed, lower case (`OFAC-SDN` is `ofac-sdn`)."""
    return name.strip().lower()


@dataclass(frozen=True)
class Listing:
    """A list membership with its period (start inclusive, end exclusive; either may be open)."""

    name: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class PartyRecord:
    """What one source record says about a party."""

    identifiers: tuple[str, ...]  # "scheme:value"; the first is the party's key when it is new
    provenance: Provenance
    name: str | None = None
    kind: str = "company"
    jurisdiction: str | None = None  # ISO 3166-1 alpha-2, subdivisions allowed (US-DE)
    headquarters: str | None = None  # ISO 3166-1 alpha-2
    nationalities: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()  # memberships without dates
    listings: tuple[Listing, ...] = ()  # memberships with a period
    addresses: tuple[str, ...] = ()
    status: str | None = None  # e.g. GLEIF LAPSED/RETIRED, a dissolved company
    reporting_exceptions: tuple[str, ...] = ()  # e.g. GLEIF NON_PUBLIC, NATURAL_PERSONS

    def __post_init__(self) -> None:
        if not self.identifiers:
            raise RecordError("party without an identifier")
        if self.kind not in PARTY_KINDS:
            raise RecordError(f"unknown party kind {self.kind!r} (expected one of {', '.join(PARTY_KINDS)})")
        object.__setattr__(self, "lists", tuple(dict.fromkeys(n for n in map(list_name, self.lists) if n)))
        listings = []
        for listing in self.listings:
            if not list_name(listing.name):
                raise RecordError("list membership without a list name")
            if listing.start and listing.end and listing.end <= listing.start:
                raise RecordError(f"list {listing.name!r}: end {listing.end} is not after start {listing.start}")
            listings.append(Listing(list_name(listing.name), listing.start, listing.end))
        object.__setattr__(self, "listings", tuple(dict.fromkeys(listings)))

    def memberships(self) -> tuple[Listing, ...]:
        """Every list membership the record states, those without dates as open periods."""
        return tuple(Listing(n) for n in self.lists) + self.listings

    def row(self) -> dict:
        return {
            "ids": [split_identifier(i) for i in self.identifiers],
            "key": self.identifiers[0],
            "name": self.name,
            "kind": self.kind,
            "jurisdiction": self.jurisdiction,
            "headquarters": self.headquarters,
            "nationalities": list(self.nationalities),
            "lists": list(dict.fromkeys(m.name for m in self.memberships())),
            "listings": [{"name": m.name, "start": m.start, "end": m.end} for m in self.memberships()],
            "addresses": list(self.addresses),
            "status": self.status,
            "exceptions": list(self.reporting_exceptions),
            "source": self.provenance.source,
            "record": self.provenance.record,
        }


@dataclass(frozen=True)
class StakeRecord:
    """What one source record says about one interest of an owner in an owned party."""

    owner: str  # an identifier of the owner ("scheme:value")
    owned: str
    provenance: Provenance
    interest: str = "shareholding"
    share: Share = field(default_factory=Share.unknown)
    start: date | None = None  # inclusive
    end: date | None = None  # exclusive
    counted: bool = True  # False for declarations (a summary of components, an ultimate parent)
    declares: str | None = None  # what a non-counted record declares, e.g. "indirect", "ultimate-parent"
    components: tuple[str, ...] = ()  # a declared indirect interest: the record ids of the stakes it summarises

    def __post_init__(self) -> None:
        if self.interest not in INTEREST_TYPES:
            raise RecordError(f"unknown interest type {self.interest!r}")
        if self.start and self.end and self.end <= self.start:
            raise RecordError(f"end {self.end} is not after start {self.start}")

    def row(self) -> dict:
        lo, hi = self.share.encode()
        return {
            "owner": self.owner,
            "owned": self.owned,
            "type": self.interest,
            "lo": lo,
            "hi": hi,
            "share_min": float(self.share.lo),
            "share_max": float(self.share.hi),
            "min_open": self.share.lo_open,
            "max_open": self.share.hi_open,
            "start": self.start,
            "end": self.end,
            "counted": self.counted,
            "declares": self.declares,
            "components": list(self.components),
            "source": self.provenance.source,
            "record": self.provenance.record,
            "statement_date": self.provenance.statement_date,
            "url": self.provenance.url,
        }


def split_identifier(identifier: str) -> dict:
    scheme, sep, value = identifier.partition(":")
    if not sep or not scheme or not value:
        raise RecordError(f"identifier {identifier!r} is not scheme:value")
    return {"id": identifier, "scheme": scheme, "value": value}


def country_of(jurisdiction: str | None, headquarters: str | None) -> str | None:
    """An organisation's country: its headquarters, else its jurisdiction's country (SPEC.md §3)."""
    if headquarters:
        return headquarters[:2].upper()
    if jurisdiction:
        return jurisdiction[:2].upper()
    return None
