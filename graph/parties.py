"""Finding parties by the ids sources gave them."""

from __future__ import annotations

from ownergraph.graph import identifiers
from ownergraph.graph.errors import AmbiguousParty, UnknownParty
from ownergraph.graph.store import Store


def resolve(store: Store, party_id: str) -> dict:
    """The one party an id names ({key, name, kind, country}); UnknownParty or AmbiguousParty otherwise.

    The id is read as typed, then as a loader would have stored it (identifiers.lookup_forms).
    """
    rows: list[dict] = []
    for form in identifiers.lookup_forms(party_id):  # as typed first, then as the loaders normalise it
        rows = store.run("read/party_by_id", id=form)
        if rows:
            break
    if not rows:
        raise UnknownParty(party_id)
    if len(rows) > 1:
        raise AmbiguousParty(party_id, rows)
    return rows[0]
