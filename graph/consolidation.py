"""Accounting-consolidation parents (GLEIF Level 2): the ultimate parent computed from the direct chain,
and the one GLEIF records declare, side by side so a disagreement is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ownergraph.graph import identifiers
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


def ultimate_parents(store: Store, lei: str, as_of: date | None = None) -> UltimateParents:
    """The ultimate consolidation parents of the party with this LEI (bare or `LEI:...`) on a date (today)."""
    scheme, sep, value = lei.partition(":")
    party = identifiers.make("LEI", value if sep and scheme.upper() == "LEI" else lei)
    computed = store.run("gleif/ultimate_parent", id=party, as_of=as_of)
    declared = store.run("gleif/declared_ultimate_parent", id=party, as_of=as_of)
    return UltimateParents(
        computed=tuple(Parent(r["key"], r["name"], r["lei"], r["levels"], tuple(r["chain"])) for r in computed),
        declared=tuple(Parent(r["key"], r["name"], r["lei"], records=tuple(r["records"] or ()))
                       for r in declared),
    )
