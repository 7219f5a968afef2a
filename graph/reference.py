"""The reference engine: the semantics of graph/semantics.py computed in memory with networkx.

It is the oracle the Cypher engine is tested against and the `--engine memory` path for small inputs.
Aggregate: the least fixpoint, round by round from the seeds (round k holds the parties first
qualifying on the members of rounds < k). Integrated: E = min(1, A E + b) solved exactly with fractions,
one ownership cycle at a time, exclusive ends carried as open bounds (graph/effective.py).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import networkx as nx

from ownergraph.graph import effective
from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import (
    Closure,
    Edge,
    Standing,
    controls,
    counted_share,
    counts,
    qualifies,
    seed_rule,
)


def as_digraph(network: Network, as_of: date) -> nx.DiGraph:
    """Parties as nodes; for each (owner, owned) pair, the edges in force on the date."""
    graph = nx.DiGraph()
    graph.add_nodes_from(network.parties)
    for edge in network.edges.values():
        if not counts(edge, as_of):
            continue
        if graph.has_edge(edge.owner, edge.owned):
            graph[edge.owner][edge.owned]["edges"].append(edge)
        else:
            graph.add_edge(edge.owner, edge.owned, edges=[edge])
    return graph


def evaluate(network: Network, policy: Policy, as_of: date, seeds: dict[str, str] | None = None,
             graph: nx.DiGraph | None = None) -> Closure:
    """The closure of a policy; `seeds` (party -> rule) replaces the policy's seed predicate when given."""
    graph = graph if graph is not None else as_digraph(network, as_of)
    closure = Closure(policy, as_of)
    for key, party in network.parties.items():
        rule = seeds.get(key) if seeds is not None else seed_rule(party, policy, as_of)
        closure.standings[key] = Standing(key, seed=rule)
    if policy.method == "aggregate":
        _aggregate(graph, closure, bound="sure")
        _aggregate(graph, closure, bound="possible")
    else:
        _integrated(graph, closure)
    return closure


def _aggregate(graph: nx.DiGraph, closure: Closure, bound: str) -> None:
    policy = closure.policy
    members: set[str] = set()
    frontier: set[str] = set()
    for key, standing in closure.standings.items():
        if standing.seed:
            standing.enter(bound, 0, "seed", ())
            members.add(key)
            frontier.add(key)
    round_ = 0
    while frontier:
        round_ += 1
        candidates = {y for x in frontier for y in graph.successors(x)} - members
        entered = {}
        for y in candidates:
            verdict = assess(graph, y, members, policy, bound)
            if verdict:
                entered[y] = verdict
        for y, (reason, witness) in entered.items():
            closure.standings[y].enter(bound, round_, reason, witness)
        members |= entered.keys()
        frontier = set(entered)


def assess(graph: nx.DiGraph, y: str, members: set[str], policy: Policy, bound: str):
    """(reason, witness edge keys) when y qualifies on the members, else None."""
    total = 0
    witness = []
    for owner in graph.predecessors(y):
        if owner not in members or owner == y:
            continue
        edges: list[Edge] = graph[owner][y]["edges"]
        control = controls(edges, policy)
        if control is not None:
            return "control", (control.key,)
        share = counted_share(edges, policy)
        if share is None:
            continue
        value = share[0] if bound == "sure" else share[1]
        total += value
        best = max((e for e in edges if e.type in policy.measured), key=lambda e: e.lo if bound == "sure" else e.hi)
        witness.append(best.key)
    if witness and qualifies(total, policy):
        return "ownership", tuple(sorted(witness))
    return None



def restricted_share(graph: nx.DiGraph, y: str, closure: Closure) -> tuple[int, int]:
    """Encoded (lo, hi): the lower ends held by R_sure members, the upper ends held by R_possible ones."""
    lo = hi = 0
    for owner in graph.predecessors(y):
        if owner == y:
            continue
        share = counted_share(graph[owner][y]["edges"], closure.policy)
        if share is None:
            continue
        standing = closure.standings.get(owner)
        if standing and standing.sure_round is not None:
            lo += share[0]
        if standing and standing.possible_round is not None:
            hi += share[1]
    return lo, hi


def _integrated(graph: nx.DiGraph, closure: Closure) -> None:
    """Effective shares solved exactly, per bound, with open bounds carried (graph/effective.py)."""
    policy = closure.policy
    seeds = {k for k, s in closure.standings.items() if s.seed}
    for key in seeds:
        closure.standings[key].enter("sure", 0, "seed", ())
        closure.standings[key].enter("possible", 0, "seed", ())
    pairs = counted_pairs(graph, policy)
    low, high = effective.solve(pairs, seeds, upper=False), effective.solve(pairs, seeds, upper=True)
    zero = effective.Bound(Fraction(0))
    for key, standing in closure.standings.items():
        if not standing.seed:
            effective.record(standing, low.get(key, zero), high.get(key, zero), policy)


def counted_pairs(graph: nx.DiGraph, policy: Policy) -> dict[tuple[str, str], tuple[int, int]]:
    """(owner, owned) -> the owner's counted share in the owned party (encoded lo, hi), holdings in itself left out."""
    out = {}
    for owner, owned, data in graph.edges(data=True):
        share = counted_share(data["edges"], policy) if owner != owned else None
        if share is not None:
            out[(owner, owned)] = share
    return out


def fraction_of(encoded: int, upper: bool) -> Fraction:
    """An encoded end as a fraction of 1 (the exclusive marker dropped)."""
    return effective.end_of(encoded, upper)[0]


def effective_shares(graph: nx.DiGraph, seeds: set[str], policy: Policy, upper: bool) -> dict[str, Fraction]:
    """E(y) at one bound for every non-seed party downstream of a seed (fractions of 1)."""
    return {k: b.value for k, b in effective.solve(counted_pairs(graph, policy), seeds, upper).items()}
