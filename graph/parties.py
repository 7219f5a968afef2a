"""Finding parties by the ids sources gave them."""

from __future__ import annotations

from ownergraph.graph.errors import AmbiguousParty, UnknownParty
from ownergraph.graph.store import Store


def resolve(store: Store, party_id: str) -> dict:
    """The one party an id names ({key, name, kind, country}); UnknownParty or AmbiguousParty otherwise."""
    rows = store.run("read/party_by_id", id=party_id.strip())
    if not rows:
        raise UnknownParty(party_id)
    if len(rows) > 1:
        raise AmbiguousParty(party_id, rows)
    return rows[0]
