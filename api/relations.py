"""A party's details (graph/party_details.py), and its owners or subsidiaries level by level, for browsing and the page's graph.

Owners (or subsidiaries) are gathered breadth-first, one Cypher statement per level, up to the depth
asked (at most 6: api/deps.Depth) and MAX_PARTIES parties; each party is listed once, at the level it is
first reached, with the interests that link it to the level before. The list is ordered by level, then by the largest share, and
paginated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ownergraph.graph.parties import resolve
from ownergraph.graph.party_details import details as details  # the party's facts, shared with the CLI
from ownergraph.graph.store import Store, native

MAX_PARTIES = 5000  # parties gathered for one request, all levels together
MAX_ROWS = 20000  # interests read per level
DIRECTIONS = {"owners": "api/owners_level", "subsidiaries": "api/subsidiaries_level"}


def share(row: dict) -> dict:
    low = row["share_min"] if row["share_min"] is not None else 0.0
    high = row["share_max"] if row["share_max"] is not None else 100.0
    return {"min": float(low), "max": float(high), "min_exclusive": bool(row["min_open"]),
            "max_exclusive": bool(row["max_open"])}


def statement(pv: dict) -> dict:
    """One source record of an interest: where it is, when it was stated, and the values it stated."""
    return {"source": pv["source"], "record": pv["record"], "statement_date": native(pv.get("statement_date")),
            "url": pv.get("url"), "share": share(pv), "start": native(pv.get("start")), "end": native(pv.get("end"))}


def edge(row: dict) -> dict:
    statements = row.get("statements")
    sources = ([statement(pv) for pv in statements] if statements
               else [{"source": s, "record": r} for s, r in zip(row["sources"], row["records"])])
    return {
        "owner": row["owner"], "owned": row["owned"], "interest": row["interest"], "share": share(row),
        "start": native(row["start"]), "end": native(row["end"]),
        "counted": row["counted"] is not False, "declares": row["declares"], "sources": sources,
    }


@dataclass
class Page:
    party: dict
    direction: str
    depth: int
    total: int
    truncated: bool
    items: list[dict]


def related(store: Store, party_id: str, direction: str, depth: int, as_of: date | None,
            limit: int, offset: int) -> Page:
    root = resolve(store, party_id)
    statement = DIRECTIONS[direction]
    seen = {root["key"]}
    frontier = [root["key"]]
    found: dict[str, dict] = {}
    truncated = False
    for level in range(1, depth + 1):
        if not frontier:
            break
        rows = store.run(statement, frontier=frontier, as_of=as_of, cap=MAX_ROWS)
        truncated = truncated or len(rows) >= MAX_ROWS
        reached: dict[str, None] = {}
        for row in rows:
            key = row["key"]
            if key in seen and key not in reached:
                continue
            if key not in found:
                if len(found) >= MAX_PARTIES:
                    truncated = True
                    continue
                seen.add(key)
                reached[key] = None
                found[key] = {"party": {"id": key, "name": row["name"], "kind": row["kind"],
                                        "country": row["country"], "lists": row["lists"]},
                              "depth": level, "edges": []}
            found[key]["edges"].append(edge(row))
        frontier = list(reached)
    items = sorted(found.values(), key=lambda i: (i["depth"], -max(e["share"]["min"] for e in i["edges"]),
                                                  i["party"]["name"] or "", i["party"]["id"]))
    return Page(party={"id": root["key"], "name": root["name"], "kind": root["kind"], "country": root["country"]},
                direction=direction, depth=depth, total=len(items), truncated=truncated,
                items=items[offset:offset + limit])
