"""The Cypher engine, on demand: one party, any date, any policy, nothing materialised.

The party's upstream cone is read (graph/cone.py); the seeds among it are found by Cypher
(closure/seeds) and the aggregate closure runs round by round in Cypher (closure/round):
each round examines only the parties downstream of those that entered in the round before
(semi-naive), and Cypher computes their restricted sums and threshold test exactly on integer-encoded
shares. Integrated ownership reads the cone and solves the linear system with scipy (graph/integrated.py):
one read, exact to floating point, cycles included; iterating in Cypher would take one query per
propagation step and converge only geometrically.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ownergraph.graph.cone import read_cone
from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import Closure, Standing, seed_rule, threshold
from ownergraph.graph.store import Store

BOUNDS = {"sure": "lo", "possible": "hi"}


def evaluate_party(store: Store, key: str, policy: Policy, as_of: date) -> tuple[Network, Closure]:
    network = read_cone(store, key, as_of)
    closure = Closure(policy, as_of)
    keys = sorted(network.parties)
    seeds = {row["key"] for row in store.run("closure/seeds", keys=keys, as_of=as_of,
                                              **seed_params(policy))}
    for k in keys:
        closure.standings[k] = Standing(k, seed=seed_rule(network.parties[k], policy, as_of) if k in seeds else None)
    if policy.method == "aggregate":
        children = defaultdict(set)
        for edge in network.edges.values():
            children[edge.owner].add(edge.owned)
        for bound in BOUNDS:
            run_rounds(store, closure, seeds, children, bound)
    else:
        from ownergraph.graph import integrated  # scipy, imported only for integrated policies

        integrated.apply(network, closure, seeds)
    return network, closure


def seed_params(policy: Policy) -> dict:
    rules = policy.restricted
    return {"headquarters": list(rules.headquarters), "nationalities": list(rules.nationalities),
            "lists": list(rules.lists)}


def round_params(policy: Policy, as_of: date, bound: str) -> dict:
    return {"measured": list(policy.measured), "control": list(policy.control), "as_of": as_of,
            "bound": BOUNDS[bound], "threshold": threshold(policy), "inclusive": policy.inclusive}


def run_rounds(store: Store, closure: Closure, seeds: set[str], children, bound: str) -> None:
    params = round_params(closure.policy, closure.as_of, bound)
    members = set(seeds)
    for k in seeds:
        closure.standings[k].enter(bound, 0, "seed", ())
    frontier = set(seeds)
    round_ = 0
    while frontier:
        round_ += 1
        candidates = sorted({y for x in frontier for y in children.get(x, ())} - members)
        if not candidates:
            break
        rows = store.run("closure/round", candidates=candidates, frontier=[], members=sorted(members), mark=None,
                         **params)
        frontier = set()
        for row in rows:
            closure.standings[row["key"]].enter(bound, round_, row["reason"], tuple(sorted(row["witness"])))
            frontier.add(row["key"])
        members |= frontier

