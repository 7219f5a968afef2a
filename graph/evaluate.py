"""The front door of the semantics: a verdict for one party, by the Cypher engine or in memory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graph import cypher_engine, explain, materialise, reference
from graph.errors import AmbiguousParty, UnknownParty
from graph.network import Network, from_paths
from graph.parties import resolve
from graph.policy import DEFAULT_POLICY, Policy, load_policy
from graph.store import Store
from graph.verdict import Verdict


def _policy(policy: str | Path | Policy) -> Policy:
    return policy if isinstance(policy, Policy) else load_policy(policy)


def verdict(store: Store, party_id: str, policy: str | Path | Policy = DEFAULT_POLICY,
            as_of: date | None = None) -> Verdict:
    """The verdict on a party under a policy as of a date (today by default), computed in Neo4j.

    Read from the policy's materialised closure when there is a current one for that date (one indexed
    lookup and the proof tree); otherwise evaluated on demand over the party's upstream cone.
    """
    chosen = _policy(policy)
    party = resolve(store, party_id)
    if chosen.method == "aggregate":
        info = materialise.current(store, chosen)
        if info is not None and (as_of or date.today()) == info["as_of"].to_native():
            return materialise.read_verdict(store, party["key"], chosen, info)
    network, closure = cypher_engine.evaluate_party(store, party["key"], chosen, as_of or date.today())
    return explain.build(network, closure, party["key"], engine="cypher")


def find_in_network(network: Network, party_id: str) -> str:
    """The party key an id names within an in-memory network."""
    if party_id in network.parties:
        return party_id
    if party_id in network.names:
        return network.names[party_id]
    matches = sorted({key for ident, key in network.names.items() if ident.partition(":")[2] == party_id})
    if not matches:
        raise UnknownParty(party_id)
    if len(matches) > 1:
        raise AmbiguousParty(party_id, [{"key": k, "name": network.name(k)} for k in matches])
    return matches[0]


def verdict_memory(paths: list[Path], party_id: str, policy: str | Path | Policy = DEFAULT_POLICY,
                   as_of: date | None = None) -> Verdict:
    """The same verdict computed by the reference engine on files, without a database."""
    network = from_paths(paths)
    return verdict_in_network(network, party_id, policy, as_of)


def verdict_in_network(network: Network, party_id: str, policy: str | Path | Policy = DEFAULT_POLICY,
                       as_of: date | None = None) -> Verdict:
    chosen = _policy(policy)
    key = find_in_network(network, party_id)
    closure = reference.evaluate(network, chosen, as_of or date.today())
    return explain.build(network, closure, key, engine="memory")


def controllers(store: Store, party_id: str, as_of: date | None = None) -> list[dict]:
    """The parties that control a party (company control), nearest first, with their paths."""
    from graph.cone import read_cone
    from graph.control import controllers as find_controllers

    party = resolve(store, party_id)
    day = as_of or date.today()
    network = read_cone(store, party["key"], day)
    return [
        {"party": {"id": c.key, "name": c.name}, "distance": c.distance, "status": c.status,
         "paths": [p.model_dump(mode="json") for p in c.paths]}
        for c in find_controllers(network, party["key"], day)
    ]
