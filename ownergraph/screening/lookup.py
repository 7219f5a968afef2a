"""Finding parties by what a user types: an identifier, or a name (fulltext candidates, reranked).

Identifier hits come first (score 100); name hits follow, scored by `names.similarity` on normalised
names, ties broken by the fulltext score. Used by GET /v1/search, the screening and the web page.
"""

from __future__ import annotations

from dataclasses import dataclass

from ownergraph.graph import identifiers
from ownergraph.graph.store import Store
from ownergraph.screening import names

NAME_CANDIDATES = 50  # fulltext hits reranked per query


@dataclass
class Hit:
    key: str
    name: str | None
    kind: str | None
    country: str | None
    lists: list[str]
    score: float
    matched: str  # "identifier" or "name"
    identifier: str | None = None  # the identifier that matched
    fulltext: float = 0.0

    def public(self) -> dict:
        return {"id": self.key, "name": self.name, "kind": self.kind, "country": self.country,
                "lists": self.lists, "score": self.score, "matched": self.matched,
                "identifier": self.identifier}


def by_identifier(store: Store, text: str, limit: int = 20, any_case: bool = False) -> list[Hit]:
    """The parties the id names: as typed first, then as the loaders normalise it (identifiers.lookup_forms);
    `any_case` (search) tries it in upper case last, for a human looking around, never for a match."""
    rows: list[dict] = []
    forms = identifiers.lookup_forms(text)
    for form in forms + ([text.strip().upper()] if any_case and forms else []):
        rows = store.run("api/search_identifiers", ids=[form], limit=limit)
        if rows:
            break
    return _identifier_hits(rows)


def by_name(store: Store, text: str, limit: int = 20) -> list[Hit]:
    query = names.lucene_query(text)
    if query is None:
        return []
    return _name_hits(text, store.run("api/search_names", query=query, limit=NAME_CANDIDATES), limit)


def _name_hits(text: str, rows: list[dict], limit: int) -> list[Hit]:
    hits = [Hit(key=r["key"], name=r["name"], kind=r["kind"], country=r["country"], lists=r["lists"],
                score=names.similarity(text, r["name"]), matched="name", fulltext=float(r["score"]))
            for r in rows]
    hits.sort(key=lambda h: (-h.score, -h.fulltext, h.key))
    return hits[:limit]


def _identifier_hits(rows: list[dict]) -> list[Hit]:
    return [Hit(key=r["key"], name=r["name"], kind=r["kind"], country=r["country"], lists=r["lists"],
                score=100.0, matched="identifier", identifier=r["matched"]) for r in rows]


def by_identifiers(store: Store, texts: list[str], limit: int = 20) -> list[list[Hit]]:
    """`by_identifier` of each text (no `any_case`), all in one statement."""
    queries = [{"row": n, "i": i, "form": form}
               for n, text in enumerate(texts) for i, form in enumerate(identifiers.lookup_forms(text))]
    found: dict[tuple[int, int], list[dict]] = {}
    for r in store.run("read/screen_identifiers", queries=queries, limit=limit) if queries else []:
        found.setdefault((r["row"], r["i"]), []).append(r)
    out = []
    for n in range(len(texts)):
        first = min((i for row, i in found if row == n), default=None)
        out.append(_identifier_hits(sorted(found[n, first], key=lambda r: r["key"])) if first is not None else [])
    return out


def by_names(store: Store, texts: list[str], limit: int = 20) -> list[list[Hit]]:
    """`by_name` of each text, all in one statement (ClientError when the database refuses a query)."""
    queries = [{"row": n, "query": q} for n, q in enumerate(names.lucene_query(t) for t in texts) if q is not None]
    found: dict[int, list[dict]] = {}
    for r in store.run("read/screen_names", queries=queries, limit=NAME_CANDIDATES) if queries else []:
        found.setdefault(r["row"], []).append(r)
    return [_name_hits(text, found.get(n, []), limit) for n, text in enumerate(texts)]


def search(store: Store, text: str, limit: int = 20) -> list[Hit]:
    """Identifier hits, then name hits, each party once."""
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in by_identifier(store, text, limit, any_case=True) + by_name(store, text, limit):
        if hit.key not in seen:
            seen.add(hit.key)
            out.append(hit)
    return out[:limit]
