"""The quality report shown after a load: what the graph holds, and what in it needs a look.

Figures (each from a named statement in cypher/quality/, as of a date, today by default):

- parties (organisations and persons); interests, counted ones and declarations separately;
- parties whose owners' counted shareholdings in force add up to more than 100%, by the lower ends of
  their shares (a data-quality warning, SPEC.md §7), with the largest examples and their sums;
- ownership cycles among counted interests in force: groups of parties that hold each other (strongly
  connected components of more than one party), how many parties lie on them, and a ring of each of
  the largest groups named party by party; parties holding their own shares are counted apart;
- organisations with no known owner (no interest from another party points at them);
- GLEIF ultimate parents: consolidated parties whose ultimate parent computed from the direct
  consolidation chain is not the one declared for them (graph/consolidation.py).

Cycles are found from the edge list: Neo4j Community has no graph algorithms library, and a bounded
Cypher pattern (`(p)-[:INTEREST*1..k]->(p)`) enumerates paths, which grows exponentially around the
holdings with thousands of subsidiaries. Instead the counted edges that can lie on a cycle are streamed
once, one row per owner, and scipy's strongly connected components run on them in linear time. Memory
is two integer arrays of the edges and one dict of the party keys, a few hundred MB for a million edges
(networkx would need several GB for the same graph).
"""

from __future__ import annotations

from array import array
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ownergraph.graph import consolidation
from ownergraph.graph.share import HUNDRED, decode_lo, encode_threshold, fmt
from ownergraph.graph.store import Store

EXAMPLES = 5


@dataclass(frozen=True)
class PartyRef:
    key: str
    name: str | None

    def describe(self) -> str:
        return f"{self.name} [{self.key}]" if self.name else f"[{self.key}]"


@dataclass(frozen=True)
class OverAllocation:
    """A party whose owners' shares add up to more than 100%."""

    party: PartyRef
    total: Decimal  # the lower ends summed, in percent
    exclusive: bool  # the sum is "more than" total (an exclusive lower end took part)
    owners: int

    def describe(self) -> str:
        total = f"more than {fmt(self.total)}%" if self.exclusive else f"{fmt(self.total)}%"
        return f"{self.party.describe()}: {total} from {self.owners} owners"


@dataclass(frozen=True)
class Cycle:
    """One group of parties that hold each other, and one ring through it."""

    size: int  # parties in the group
    ring: tuple[PartyRef, ...]  # each holds the next; the last holds the first

    def describe(self) -> str:
        names = [p.describe() for p in self.ring]
        text = " -> ".join([*names, names[0]])
        return text if self.size == len(self.ring) else f"{text} (a group of {self.size} parties)"


@dataclass(frozen=True)
class UltimateDisagreement:
    """A party whose computed ultimate consolidation parents are not the declared ones."""

    party: PartyRef
    computed: tuple[PartyRef, ...]
    declared: tuple[PartyRef, ...]

    def describe(self) -> str:
        def some(parents: tuple[PartyRef, ...]) -> str:
            return ", ".join(p.describe() for p in parents) or "none"

        return f"{self.party.describe()}: computed {some(self.computed)}, declared {some(self.declared)}"


@dataclass
class QualityReport:
    as_of: date
    parties: int = 0
    persons: int = 0
    counted_interests: int = 0
    counted_not_in_force: int = 0  # counted interests ended (or not started) on as_of
    declarations: int = 0
    over_allocated: int = 0
    over_allocated_examples: list[OverAllocation] = field(default_factory=list)
    cycle_groups: int = 0  # strongly connected components of more than one party
    cycle_parties: int = 0  # parties on a cycle
    cycle_examples: list[Cycle] = field(default_factory=list)
    self_holdings: int = 0
    self_holding_examples: list[PartyRef] = field(default_factory=list)
    unowned: int = 0  # organisations with no known owner
    consolidated: int = 0  # parties with a direct or a declared ultimate consolidation parent
    ultimate_disagreements: int = 0
    ultimate_examples: list[UltimateDisagreement] = field(default_factory=list)

    @property
    def organisations(self) -> int:
        return self.parties - self.persons


def report(store: Store, as_of: date | None = None, examples: int = EXAMPLES) -> QualityReport:
    """The quality figures of the graph in the store, for interests in force on `as_of` (today)."""
    day = as_of or date.today()
    out = QualityReport(as_of=day)
    totals = store.run("quality/totals", as_of=day)[0]
    out.parties, out.persons = totals["parties"], totals["persons"]
    out.counted_interests, out.declarations = totals["counted"], totals["declarations"]
    out.counted_not_in_force = totals["not_in_force"]

    over = store.run("quality/over_allocated", as_of=day, limit=encode_threshold(HUNDRED), examples=examples)[0]
    out.over_allocated = over["parties"]
    for row in over["examples"]:
        total, exclusive = decode_lo(row["total"])
        out.over_allocated_examples.append(
            OverAllocation(PartyRef(row["key"], row["name"]), total, exclusive, row["owners"]))

    selfs = store.run("quality/self_holdings", as_of=day, examples=examples)[0]
    out.self_holdings = selfs["parties"]
    out.self_holding_examples = [PartyRef(r["key"], r["name"]) for r in selfs["examples"]]

    out.unowned = store.run("quality/unowned")[0]["parties"]

    groups, rings = cycles(store, day, examples)
    out.cycle_groups, out.cycle_parties = len(groups), sum(groups)
    names = party_names(store, {k for ring in rings for k in ring[1]})
    out.cycle_examples = [Cycle(size, tuple(PartyRef(k, names.get(k)) for k in ring)) for size, ring in rings]

    out.consolidated, found = consolidation.disagreements(store, day)
    out.ultimate_disagreements = len(found)
    shown = found[:examples]
    names = party_names(store, {k for d in shown for k in (d.key, *d.computed, *d.declared)})
    out.ultimate_examples = [
        UltimateDisagreement(PartyRef(d.key, names.get(d.key)), tuple(PartyRef(k, names.get(k)) for k in d.computed),
                             tuple(PartyRef(k, names.get(k)) for k in d.declared)) for d in shown]
    return out


def cycles(store: Store, as_of: date, examples: int) -> tuple[list[int], list[tuple[int, list[str]]]]:
    """The sizes of the groups of parties that hold each other, and (size, ring of keys) of the largest."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    index: dict[str, int] = {}
    keys: list[str] = []
    owners, owned = array("q"), array("q")

    def number(key: str) -> int:
        found = index.get(key)
        if found is None:
            found = index[key] = len(keys)
            keys.append(key)
        return found

    for row in store.stream("quality/holdings", as_of=as_of):
        o = number(row["owner"])
        for y in row["owned"]:
            owners.append(o)
            owned.append(number(y))
    if not owners:
        return [], []
    n = len(keys)
    src = np.frombuffer(owners, dtype=np.int64)
    dst = np.frombuffer(owned, dtype=np.int64)
    graph = csr_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    _, labels = connected_components(graph, directed=True, connection="strong")
    sizes = np.bincount(labels)
    cyclic = np.flatnonzero(sizes > 1)
    groups = sorted((int(sizes[c]) for c in cyclic), reverse=True)
    # the largest groups first; among equals, the one whose first party key sorts first
    members: dict[int, list[int]] = {int(c): [] for c in cyclic}
    for node in np.flatnonzero(sizes[labels] > 1):
        members[int(labels[node])].append(int(node))
    chosen = sorted(members.values(), key=lambda m: (-len(m), min(keys[i] for i in m)))[:examples]
    rings = []
    for group in chosen:
        start = min(group, key=lambda i: keys[i])
        ring = shortest_ring(graph, labels, start)
        rings.append((len(group), [keys[i] for i in ring]))
    return groups, rings


def shortest_ring(graph, labels, start: int) -> list[int]:
    """The shortest cycle through `start` inside its strongly connected component (breadth first)."""
    group = labels[start]
    parent = {start: -1}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph.indices[graph.indptr[node]:graph.indptr[node + 1]]:
            nxt = int(nxt)
            if labels[nxt] != group:
                continue
            if nxt == start:
                ring = [node]
                while parent[ring[-1]] != -1:
                    ring.append(parent[ring[-1]])
                return ring[::-1]
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return [start]  # not reached: every member of a component of two or more lies on a cycle


def party_names(store: Store, keys: set[str]) -> dict[str, str | None]:
    if not keys:
        return {}
    return {r["key"]: r["name"] for r in store.run("quality/party_names", keys=sorted(keys))}


def render(rep: QualityReport) -> list[str]:
    """The report as lines for the command line."""
    lines = [
        f"Quality of the graph (interests in force on {rep.as_of.isoformat()}):",
        f"  parties: {rep.parties:,} ({plural(rep.organisations, 'organisation')}, {plural(rep.persons, 'person')})",
        f"  interests: {rep.counted_interests:,} counted ({rep.counted_not_in_force:,} of them not in force), "
        f"{plural(rep.declarations, 'declaration')}",
    ]
    if rep.over_allocated:
        lines.append(f"  shares over 100%: {plural(rep.over_allocated, 'party', 'parties')} whose owners' "
                     f"shareholdings add up to more than 100% (lower ends of ranges), e.g.")
        lines += [f"    {o.describe()}" for o in rep.over_allocated_examples]
    else:
        lines.append("  shares over 100%: none")
    if rep.cycle_groups:
        lines.append(f"  ownership cycles: {plural(rep.cycle_groups, 'group')} of parties that hold each other, "
                     f"{plural(rep.cycle_parties, 'party', 'parties')} in all, e.g.")
        lines += [f"    {c.describe()}" for c in rep.cycle_examples]
    else:
        lines.append("  ownership cycles: none")
    if rep.self_holdings:
        lines.append(f"  holdings in themselves (treasury shares, ignored): "
                     f"{plural(rep.self_holdings, 'party', 'parties')}, e.g. "
                     + "; ".join(p.describe() for p in rep.self_holding_examples))
    lines.append(f"  no known owner: {plural(rep.unowned, 'organisation')}")
    if rep.ultimate_disagreements:
        lines.append(f"  GLEIF ultimate parents: {plural(rep.ultimate_disagreements, 'party', 'parties')} of "
                     f"{rep.consolidated:,} consolidated whose ultimate parent computed from the direct chain is "
                     "not the declared one, e.g.")
        lines += [f"    {d.describe()}" for d in rep.ultimate_examples]
    elif rep.consolidated:
        lines.append(f"  GLEIF ultimate parents: computed and declared agree for all {rep.consolidated:,} "
                     "consolidated parties")
    return lines


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else many or one + 's'}"
