"""Everything known of one party: its facts, identifiers and list entries, for the API and the CLI."""

from __future__ import annotations

from ownergraph.graph.parties import resolve
from ownergraph.graph.store import Store, native


def details(store: Store, party_id: str) -> dict:
    """Everything known of one party (UnknownParty / AmbiguousParty when the id does not name one)."""
    key = resolve(store, party_id)["key"]
    row = store.run("api/party_details", key=key)[0]
    row["identifiers"] = sorted(row["identifiers"], key=lambda i: i["id"])
    row["lists"] = sorted(({**item, "start": native(item["start"]), "end": native(item["end"])}
                           for item in row["lists"]), key=lambda i: i["name"])
    row["id"] = row.pop("key")
    return row
