"""The front door of the semantics: a verdict for one party, by the Cypher engine or in memory."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ownergraph.graph import explain
from ownergraph.graph.errors import AmbiguousParty, OwnergraphError, UnknownParty
from ownergraph.graph.policy import DEFAULT_POLICY, Policy, load_policy
from ownergraph.graph.verdict import Verdict

if TYPE_CHECKING:  # each engine is imported by the paths that use it: the driver, or networkx
    from ownergraph.graph.network import Network
    from ownergraph.graph.store import Store


def _policy(policy: str | Path | Policy) -> Policy:
    return policy if isinstance(policy, Policy) else load_policy(policy)


def verdict(store: Store, party_id: str, policy: str | Path | Policy = DEFAULT_POLICY,
            as_of: date | None = None) -> Verdict:
    """The verdict on a party under a policy as of a date (today by default), computed in Neo4j.

    Read from the policy's materialised closure when there is a current one for that date (one statement:
    the id, the closure version, the proof tree, the version again: graph/closure_read.py); otherwise
    evaluated on demand over the party's upstream cone.
    """
    outcome = verdicts(store, [party_id], policy, as_of)[party_id]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def verdicts(store: Store, party_ids: list[str], policy: str | Path | Policy = DEFAULT_POLICY,
             as_of: date | None = None) -> dict[str, Verdict | OwnergraphError]:
    """`verdict` for several ids at once (by id; an unknown or ambiguous id gives its error): the
    materialised reads of all of them in one statement per 200 ids, the others evaluated on demand."""
    from ownergraph.graph import closure_read, cypher_engine
    from ownergraph.graph.parties import resolve

    chosen = _policy(policy)
    day = as_of or date.today()
    reads = closure_read.read(store, party_ids, chosen, day) if chosen.method == "aggregate" else {}
    out: dict[str, Verdict | OwnergraphError] = {}
    for party_id in dict.fromkeys(party_ids):
        try:
            got = reads.get(party_id)
            key = got.party()["key"] if got else resolve(store, party_id)["key"]
            read = got.verdict if got else None
            if got and got.deep:
                read = from_closure(store, key, chosen, day)
            if read is None:
                network, closure = cypher_engine.evaluate_party(store, key, chosen, day)
                read = explain.build(network, closure, key, engine="cypher")
            out[party_id] = read
        except OwnergraphError as exc:
            out[party_id] = exc
    return out


def from_closure(store: Store, key: str, policy: Policy, day: date, info: dict | None = None,
                 attempts: int = 3) -> Verdict | None:
    """The verdict read from the policy's materialised closure, or None when none is current for `day`.

    A closure can be switched or withdrawn while a verdict is read from it: a rebuild deletes the old
    version's Verdict nodes after the switch, a refresh recomputes part of it. A party without a Verdict
    node reads as clear, so a read that did not see one version whole would be a wrong "clear". The
    version is read again after the read; if it changed (a new version, or the same one shown again
    after a recompute), the read is done again on the new one, and after `attempts` the caller evaluates
    on demand. `info` is the version as read before (default: read now).
    """
    from ownergraph.graph import materialise
    from ownergraph.graph.store import native

    info = info if info is not None else materialise.current(store, policy)
    for _ in range(attempts):
        if info is None or day != native(info["as_of"]):
            return None
        read = materialise.read_verdict(store, key, policy, info)
        after = materialise.current(store, policy)
        if after is not None and (after["version"], after["computed_at"]) == (info["version"], info["computed_at"]):
            return read
        info = after
    return None


def find_in_network(network: Network, party_id: str) -> str:
    """The party key an id names within an in-memory network (as typed, then as the loaders normalise it)."""
    from ownergraph.graph.identifiers import lookup_forms

    for form in lookup_forms(party_id):
        if form in network.parties:
            return form
        if form in network.names:
            return network.names[form]
        matches = sorted({key for ident, key in network.names.items() if ident.partition(":")[2] == form})
        if len(matches) > 1:
            raise AmbiguousParty(party_id, [{"key": k, "name": network.name(k)} for k in matches])
        if matches:
            return matches[0]
    raise UnknownParty(party_id)


def verdict_in_network(network: Network, party_id: str, policy: str | Path | Policy = DEFAULT_POLICY,
                       as_of: date | None = None) -> Verdict:
    from ownergraph.graph import reference

    chosen = _policy(policy)
    key = find_in_network(network, party_id)
    closure = reference.evaluate(network, chosen, as_of or date.today())
    return explain.build(network, closure, key, engine="memory")


def controllers(store: Store, party_id: str, as_of: date | None = None) -> list[dict]:
    """The parties that control a party (company control), nearest first, with their paths."""
    from ownergraph.graph.cone import read_cone
    from ownergraph.graph.control import controllers as find_controllers
    from ownergraph.graph.parties import resolve

    party = resolve(store, party_id)
    day = as_of or date.today()
    network = read_cone(store, party["key"], day)
    return [
        {"party": {"id": c.key, "name": c.name}, "distance": c.distance, "status": c.status,
         "paths": [p.model_dump(mode="json") for p in c.paths]}
        for c in find_controllers(network, party["key"], day)
    ]
