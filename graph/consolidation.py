"""Accounting-consolidation parents (GLEIF Level 2): the ultimate parent computed from the direct chain,
and the one GLEIF records declare, side by side so a disagreement is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ownergraph.graph.parties import resolve
from ownergraph.graph.store import Store


@dataclass(frozen=True)
class Parent:
    key: str
    name: str | None
    lei: str | None
    levels: int | None = None  # computed: consolidation steps from the party up to this parent
    chain: tuple[str, ...] = ()  # computed: party keys from the party up to this parent
    records: tuple[str, ...] = ()  # declared: the source records that declare it


@dataclass(frozen=True)
class UltimateParents:
    computed: tuple[Parent, ...]
    declared: tuple[Parent, ...]

    @property
    def agree(self) -> bool:
        return {p.key for p in self.computed} == {p.key for p in self.declared}

    def public(self) -> dict:
        """As the API and `ownergraph party --json` give it."""
        return {"computed": [{"id": p.key, "name": p.name, "lei": p.lei, "levels": p.levels, "chain": list(p.chain)}
                             for p in self.computed],
                "declared": [{"id": p.key, "name": p.name, "lei": p.lei, "records": list(p.records)}
                             for p in self.declared],
                "agree": self.agree}


def ultimate_parents(store: Store, party_id: str, as_of: date | None = None) -> UltimateParents:
    """The ultimate consolidation parents of a party (any of its ids: an LEI, `LEI:...`) on a date (today)."""
    return of_party(store, resolve(store, party_id)["key"], as_of)


def of_party(store: Store, key: str, as_of: date | None = None) -> UltimateParents:
    """Computed and declared ultimate consolidation parents of the party with this key."""
    computed = store.run("gleif/ultimate_parent", key=key, as_of=as_of)
    declared = store.run("gleif/declared_ultimate_parent", key=key, as_of=as_of)
    return UltimateParents(
        computed=tuple(Parent(r["key"], r["name"], r["lei"], r["levels"], tuple(r["chain"])) for r in computed),
        declared=tuple(Parent(r["key"], r["name"], r["lei"], records=tuple(r["records"] or ()))
                       for r in declared),
    )


@dataclass(frozen=True)
class Disagreement:
    """A party whose ultimate parents computed from the direct chain are not the ones declared for it."""

    key: str
    computed: tuple[str, ...]
    declared: tuple[str, ...]


def disagreements(store: Store, as_of: date) -> tuple[int, list[Disagreement]]:
    """How many parties are consolidated, and every consolidated party (a direct parent or a declared ultimate one, in force on `as_of`) whose
    computed ultimate parents differ from the declared ones, by key.

    The direct chains are read once and walked here: a party's ultimate parents are the parties without a
    direct parent reached by going up its direct parents (none when the chain only loops).
    """
    direct: dict[str, list[str]] = {}
    declared: dict[str, set[str]] = {}
    for row in store.stream("quality/consolidation", as_of=as_of):
        if row["direct"]:
            direct[row["child"]] = row["direct"]
        if row["declared"]:
            declared[row["child"]] = set(row["declared"])
    out = []
    for key in sorted(direct.keys() | declared.keys()):
        computed = _tops(direct, key)
        if computed != declared.get(key, set()):
            out.append(Disagreement(key, tuple(sorted(computed)), tuple(sorted(declared.get(key, ())))))
    return len(direct.keys() | declared.keys()), out


def _tops(direct: dict[str, list[str]], key: str) -> set[str]:
    """The parties without a direct parent reached upward from `key` (not `key` itself)."""
    seen, tops = {key}, set()
    stack = list(direct.get(key, ()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        parents = direct.get(node)
        if parents:
            stack.extend(parents)
        else:
            tops.add(node)
    return tops
