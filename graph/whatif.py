"""What if: a verdict evaluated as if some stakes or headquarters were different, without writing anything.

The graph is read as of a date into an in-memory Network (for Neo4j, the party's upstream cone through
graph/cone.py, widened by the cones of any party a change names), the changes are applied to a copy, and
the reference engine (graph/reference.py, exact fractions) evaluates both. The answer is the verdict
before and after, with both explanations and the changes as applied. Nothing is ever stored.

Changes (`Change`):

  * `set OWNER>OWNED=SHARE`: the stake's share becomes SHARE (every counted stake from OWNER in OWNED in
    force on the date whose type the policy measures; `30`, or a range `>25..50` with the CSV markers);
  * `remove OWNER>OWNED`: every counted stake from OWNER in OWNED in force on the date is gone;
    `OWNER>OWNED#TYPE` (set, remove) touches only the stakes of that interest type;
  * `add OWNER>OWNED=SHARE`: a new shareholding of SHARE;
  * `headquarters PARTY=CC`: the organisation's country becomes CC (ISO 3166-1 alpha-2).

Bad changes raise `ChangeError` (HTTP 422) naming the field: an unknown party or stake, a share outside
0-100, a change that would make a party hold itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from ownergraph.graph.errors import AmbiguousParty, InvalidParameter, UnknownParty
from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import Closure, Edge, counts
from ownergraph.graph.share import Share, ShareError, to_decimal
from ownergraph.graph.verdict import Verdict

if TYPE_CHECKING:
    from ownergraph.graph.store import Store

Kind = Literal["set", "remove", "add", "headquarters"]
HYPOTHETICAL = ("what-if", "hypothetical")
COUNTRY = re.compile(r"^[A-Z]{2}$")


class ChangeError(InvalidParameter):
    """A hypothetical change that cannot be applied; names the field (`changes.0.share`, `--set ...`)."""


@dataclass(frozen=True)
class Change:
    kind: Kind
    owner: str | None = None  # set, remove, add; the party for headquarters
    owned: str | None = None
    share: Share | None = None
    country: str | None = None
    interest: str | None = None  # set, remove: only the stakes of this interest type
    field: str = "changes"  # how the caller names this change in errors

    def describe(self, network: Network | None = None) -> str:
        def name(k: str | None) -> str:
            return (network.name(k) if network and k else None) or k or "?"

        if self.kind == "headquarters":
            return f"{name(self.owner)} headquartered in {self.country}"
        if self.kind == "remove":
            if self.interest:
                return f"{name(self.owner)} gives up its {self.interest} interest in {name(self.owned)}"
            return f"{name(self.owner)} no longer holds a stake in {name(self.owned)}"
        verb = "holds" if self.kind == "set" else "acquires"
        return f"{name(self.owner)} {verb} {self.share.describe() if self.share else '?'} of {name(self.owned)}"


class AppliedChange(BaseModel):
    kind: Kind
    owner: str
    owned: str | None = None
    share: dict | None = None
    country: str | None = None
    description: str
    stakes: list[str] = Field(default_factory=list, description="Keys of the stakes the change touched")


class WhatIf(BaseModel):
    """A verdict before and after hypothetical changes. Never saved."""

    hypothetical: bool = True
    changes: list[AppliedChange]
    before: Verdict
    after: Verdict
    changed: bool = Field(description="Whether the verdict itself differs")


# ---- reading changes ------------------------------------------------------------------------------------

def parse_share(text: str, field: str) -> Share:
    """`30`, or a range `LO..HI` whose ends may carry the CSV markers (`>25..50`, `25..<50`)."""
    text = text.strip().rstrip("%")
    try:
        if ".." not in text:
            return Share.exact(to_decimal(text))
        left, right = (part.strip() for part in text.split("..", 1))
        lo_open, hi_open = left.startswith(">"), right.startswith("<")
        return Share(to_decimal(left.lstrip(">")), to_decimal(right.lstrip("<")), lo_open, hi_open)
    except ShareError as exc:
        raise ChangeError(field, str(exc)) from None


def share_of(value: float | str | dict, field: str) -> Share:
    """A share from JSON: a number, a string as `parse_share` reads it, or {min, max, min_exclusive, max_exclusive}."""
    if isinstance(value, dict):
        try:
            return Share(to_decimal(value["min"]), to_decimal(value["max"]), bool(value.get("min_exclusive")),
                         bool(value.get("max_exclusive")))
        except KeyError as exc:
            raise ChangeError(field, f"a share range needs {exc.args[0]!r}") from None
        except ShareError as exc:
            raise ChangeError(field, str(exc)) from None
    if isinstance(value, bool):
        raise ChangeError(field, "a share is a number of percent")
    return parse_share(str(value), field)


def parse(kind: Kind, text: str) -> Change:
    """A change as the command line writes it: `OWNER>OWNED=SHARE`, `OWNER>OWNED`, `PARTY=CC`."""
    field = f"--{kind} {text}"
    if kind == "headquarters":
        party, sep, country = text.partition("=")
        if not sep or not party.strip():
            raise ChangeError(field, "expected PARTY=CC")
        return Change("headquarters", owner=party.strip(), country=country_code(country, field), field=field)
    pair, sep, share = text.partition("=")
    pair, interest = interest_of(pair, field)
    owner, arrow, owned = pair.partition(">")
    if not arrow or not owner.strip() or not owned.strip():
        raise ChangeError(field, "expected OWNER>OWNED" + ("" if kind == "remove" else "=SHARE"))
    if kind == "remove":
        if sep:
            raise ChangeError(field, "--remove takes no share")
        return Change("remove", owner.strip(), owned.strip(), interest=interest, field=field)
    if not sep:
        raise ChangeError(field, "expected OWNER>OWNED=SHARE")
    if interest and kind == "add" and interest != "shareholding":
        raise ChangeError(field, "an added stake is a shareholding")
    return Change(kind, owner.strip(), owned.strip(), parse_share(share, field), interest=interest, field=field)


def interest_of(pair: str, field: str) -> tuple[str, str | None]:
    """`OWNER>OWNED#TYPE` -> (`OWNER>OWNED`, TYPE); a `#` not followed by an interest type is part of an id."""
    from ownergraph.graph.model import INTEREST_TYPES

    head, hash_, tail = pair.rpartition("#")
    if hash_ and tail.strip() in INTEREST_TYPES:
        return head, tail.strip()
    return pair, None


def country_code(text: str, field: str) -> str:
    code = text.strip().upper()
    if not COUNTRY.match(code):
        raise ChangeError(field, f"{text.strip()!r} is not an ISO 3166-1 alpha-2 country code")
    return code


# ---- applying them --------------------------------------------------------------------------------------

Resolver = Callable[[str, str], str]  # (party id, field) -> party key, widening the network as needed


def memory_resolver(network: Network) -> Resolver:
    from ownergraph.graph.evaluate import find_in_network

    def resolve(party_id: str, field: str) -> str:
        try:
            return find_in_network(network, party_id)
        except (UnknownParty, AmbiguousParty) as exc:
            raise ChangeError(field, str(exc)) from None

    return resolve


def apply(network: Network, changes: Iterable[Change], policy: Policy, as_of: date,
          resolve: Resolver | None = None) -> tuple[Network, list[AppliedChange]]:
    """A copy of the network with the changes applied in order, and what each one did."""
    resolve = resolve or memory_resolver(network)
    resolved = []
    for change in changes:  # first, so that every cone a change needs is read before the copy
        def field(name: str, change: Change = change) -> str:
            return f"{change.field}.{name}" if change.field.startswith("changes") else change.field

        owner = resolve(change.owner or "", field("party" if change.kind == "headquarters" else "owner"))
        owned = None if change.kind == "headquarters" else resolve(change.owned or "", field("owned"))
        resolved.append((change, owner, owned))
    edges = dict(network.edges)
    parties = dict(network.parties)
    applied = []
    for change, owner, owned in resolved:
        if change.kind == "headquarters":
            party = parties[owner]
            if party.kind == "person":
                raise ChangeError(change.field, f"{party.name or owner} is a person: a person has nationalities, "
                                                "not a headquarters")
            parties[owner] = replace(party, country=change.country)
            applied.append(AppliedChange(kind="headquarters", owner=owner, country=change.country,
                                         description=replace(change, owner=owner).describe(network)))
            continue
        assert owned is not None
        if owner == owned:
            raise ChangeError(change.field, f"{network.name(owner) or owner} would hold itself "
                                            "(a holding in itself is not an interest)")
        current = [e for e in edges.values() if e.owner == owner and e.owned == owned and counts(e, as_of)
                   and (change.interest is None or change.kind == "add" or e.type == change.interest)]
        touched: list[str] = []
        if change.kind == "add":
            assert change.share is not None
            key = f"{owner}|{owned}|shareholding|what-if|{len(applied)}"
            edges[key] = hypothetical_edge(key, owner, owned, change.share)
            touched.append(key)
        elif not current:
            raise ChangeError(change.field, f"{network.name(owner) or owner} holds no "
                                            f"{change.interest + ' ' if change.interest else ''}stake in "
                                            f"{network.name(owned) or owned} on {as_of}" +
                              (" (use add for a new one)" if change.kind == "set" else ""))
        elif change.kind == "remove":
            for edge in current:
                del edges[edge.key]
                touched.append(edge.key)
        else:
            assert change.share is not None
            measured = [e for e in current if e.type in policy.measured]
            if not measured:
                raise ChangeError(change.field, f"the stakes of {network.name(owner) or owner} in "
                                                f"{network.name(owned) or owned} ({', '.join(sorted({e.type for e in current}))}) "
                                                f"carry no share {policy.name} measures; remove them instead")
            for edge in measured:
                edges[edge.key] = with_share(edge, change.share)
                touched.append(edge.key)
        applied.append(AppliedChange(kind=change.kind, owner=owner, owned=owned,
                                     share=share_json(change.share) if change.share else None,
                                     description=replace(change, owner=owner, owned=owned).describe(network),
                                     stakes=touched))
    return replace(network, edges=edges, parties=parties), applied


def with_share(edge: Edge, share: Share) -> Edge:
    lo, hi = share.encode()
    return replace(edge, lo=lo, hi=hi, share_min=float(share.lo), share_max=float(share.hi),
                   min_open=share.lo_open, max_open=share.hi_open,
                   sources=((HYPOTHETICAL[0], f"hypothetical, was {share_text(edge)}"),))


def hypothetical_edge(key: str, owner: str, owned: str, share: Share) -> Edge:
    lo, hi = share.encode()
    return Edge(key=key, owner=owner, owned=owned, type="shareholding", lo=lo, hi=hi, sources=(HYPOTHETICAL,),
                share_min=float(share.lo), share_max=float(share.hi), min_open=share.lo_open,
                max_open=share.hi_open)


def share_text(edge: Edge) -> str:
    from ownergraph.graph.explain import share_words

    return share_words(edge)


def share_json(share: Share) -> dict:
    out: dict = {"min": float(share.lo), "max": float(share.hi)}
    if share.lo_open:
        out["min_exclusive"] = True
    if share.hi_open:
        out["max_exclusive"] = True
    return out


# ---- evaluating -----------------------------------------------------------------------------------------

def closure_of(network: Network, policy: Policy, as_of: date) -> Closure:
    from ownergraph.graph import reference

    return reference.evaluate(network, policy, as_of)


def verdict_of(network: Network, key: str, policy: Policy, as_of: date) -> Verdict:
    from ownergraph.graph import explain

    return explain.build(network, closure_of(network, policy, as_of), key, engine="memory")


def in_network(network: Network, party_id: str, changes: list[Change], policy: Policy,
               as_of: date) -> tuple[WhatIf, Network]:
    """The comparison on an in-memory network, and the hypothetical network (for flip points)."""
    from ownergraph.graph.evaluate import find_in_network

    try:
        key = find_in_network(network, party_id)
    except UnknownParty as exc:
        raise ChangeError("party", str(exc)) from None
    changed, applied = apply(network, changes, policy, as_of)
    return result(network, changed, applied, key, policy, as_of), changed


# ---- Neo4j ----------------------------------------------------------------------------------------------

def read(store: Store, party_id: str, as_of: date) -> tuple[Network, str, Resolver]:
    """The party's cone as of the date, and a resolver that reads the cone of any other party a change
    names into the same network (an added stake from outside the cone brings its owner's owners)."""
    from ownergraph.graph.cone import read_cone
    from ownergraph.graph.parties import resolve as resolve_party

    try:
        key = resolve_party(store, party_id)["key"]
    except UnknownParty as exc:
        raise ChangeError("party", str(exc)) from None
    network = read_cone(store, key, as_of)
    widened: set[str] = {key}

    def resolve(ident: str, field: str) -> str:
        try:
            found = resolve_party(store, ident)["key"]
        except (UnknownParty, AmbiguousParty) as exc:
            raise ChangeError(field, str(exc)) from None
        if found not in widened:
            widened.add(found)
            merge(network, read_cone(store, found, as_of))
        return found

    return network, key, resolve


def merge(into: Network, other: Network) -> None:
    for k, party in other.parties.items():
        into.parties.setdefault(k, party)
        into.names.setdefault(k, k)
    for k, edge in other.edges.items():
        into.edges.setdefault(k, edge)


def in_store(store: Store, party_id: str, changes: list[Change], policy: Policy, as_of: date) -> tuple[WhatIf, Network]:
    """The comparison on the graph in Neo4j as of the date, and the hypothetical network (for flip points)."""
    network, key, resolve = read(store, party_id, as_of)
    changed, applied = apply(network, changes, policy, as_of, resolve)
    return result(network, changed, applied, key, policy, as_of), changed


def result(network: Network, changed: Network, applied: list[AppliedChange], key: str, policy: Policy,
           as_of: date) -> WhatIf:
    before = verdict_of(network, key, policy, as_of)
    after = verdict_of(changed, key, policy, as_of)
    after.engine = "memory (hypothetical)"
    return WhatIf(changes=applied, before=before, after=after, changed=before.verdict != after.verdict)
