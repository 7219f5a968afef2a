"""Reading a party's upstream cone out of Neo4j into an in-memory Network.

The cone is every party that holds, directly or through others, a counted interest in force on the
date in the party, with those interests. It is read breadth-first, one Cypher step per level.
"""

from __future__ import annotations

from datetime import date

from ownergraph.graph.errors import ConeTooLarge
from ownergraph.graph.network import Network
from ownergraph.graph.semantics import Edge, PartyFacts
from ownergraph.graph.store import Store, native, pages

MAX_CONE = 200_000  # parties; a cone larger than this is refused rather than exhausting memory


def edge_from_row(row: dict) -> Edge:
    return Edge(
        key=row["key"], owner=row["owner"], owned=row["owned"], type=row["type"], lo=row["lo"], hi=row["hi"],
        start=native(row.get("start")), end=native(row.get("end")), counted=True,
        sources=tuple(zip(row.get("sources") or [], row.get("records") or [])),
        share_min=row.get("share_min") or 0.0, share_max=100.0 if row.get("share_max") is None else row["share_max"],
        min_open=bool(row.get("min_open")), max_open=bool(row.get("max_open")),
    )


def facts(store: Store, keys: list[str]) -> dict[str, PartyFacts]:
    out = {}
    for page in pages(keys, 5000):
        for row in store.run("closure/party_facts", keys=page):
            out[row["key"]] = PartyFacts(
                key=row["key"], name=row["name"], kind=row["kind"] or "company", country=row["country"],
                nationalities=tuple(row["nationalities"]),
                listings=tuple((n, native(s), native(e)) for n, s, e in row["listings"]),
                reporting_exceptions=tuple(row["reporting_exceptions"]),
            )
    return out


def read_cone(store: Store, key: str, as_of: date) -> Network:
    network = Network()
    seen = {key}
    frontier = [key]
    while frontier:
        rows = store.run("closure/cone_step", frontier=frontier, as_of=as_of)
        frontier = []
        for row in rows:
            edge = edge_from_row(row)
            network.edges[edge.key] = edge
            if edge.owner not in seen:
                seen.add(edge.owner)
                frontier.append(edge.owner)
        if len(seen) > MAX_CONE:
            raise ConeTooLarge(f"the ownership cone of {key} holds more than {MAX_CONE} parties")
    network.parties = facts(store, sorted(seen))
    for k in network.parties:
        network.names[k] = k
    return network
