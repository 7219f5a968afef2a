"""The reference engine: the semantics of graph/semantics.py computed in memory with networkx.

It is the oracle the Cypher engine is tested against and the `--engine memory` path for small inputs.
Aggregate: the least fixpoint, round by round from the seeds (round k holds the parties first
qualifying on the members of rounds < k). Integrated: the linear system solved exactly with fractions
(Gaussian elimination) when every party's owners hold at most 100% of it; otherwise (upper ends of
ranges can sum past 100%) the least fixpoint of E = min(1, A E + b) by monotone iteration.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from fractions import Fraction

import networkx as nx

from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import (
    CLEAR,
    RESTRICTED,
    Closure,
    Edge,
    Standing,
    controls,
    counted_share,
    counts,
    effective_status,
    qualifies,
    seed_rule,
)
from ownergraph.graph.share import SCALE, UNIT


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


def fraction_of(encoded: int, upper: bool) -> Fraction:
    """An encoded end as a fraction of 1 (the exclusive marker dropped)."""
    units = -((-encoded) // SCALE) if upper else encoded // SCALE
    return Fraction(units, UNIT * 100)


def _integrated(graph: nx.DiGraph, closure: Closure) -> None:
    policy = closure.policy
    seeds = {k for k, s in closure.standings.items() if s.seed}
    for key in seeds:
        closure.standings[key].enter("sure", 0, "seed", ())
        closure.standings[key].enter("possible", 0, "seed", ())
    for upper in (False, True):
        values = effective_shares(graph, seeds, policy, upper)
        for key, value in values.items():
            standing = closure.standings[key]
            if upper:
                standing.effective_hi = float(value) * 100
            else:
                standing.effective_lo = float(value) * 100
    for key, standing in closure.standings.items():
        if standing.seed:
            continue
        standing.effective_lo = standing.effective_lo or 0.0
        standing.effective_hi = standing.effective_hi or 0.0
        status = effective_status(standing.effective_lo, standing.effective_hi, policy,
                                  lambda key=key: exclusive_upstream(graph, key))
        if status != CLEAR:
            standing.enter("possible", 1, "ownership", ())
        if status == RESTRICTED:
            standing.enter("sure", 1, "ownership", ())


def exclusive_upstream(graph: nx.DiGraph, key: str) -> bool:
    """Whether any edge into the party or its ancestors has an exclusive end."""
    nodes = nx.ancestors(graph, key) | {key}
    return any(e.min_open or e.max_open
               for owner, owned, data in graph.in_edges(nodes, data=True) for e in data["edges"])


def effective_shares(graph: nx.DiGraph, seeds: set[str], policy: Policy, upper: bool) -> dict[str, Fraction]:
    """E(y) for every non-seed party downstream of a seed (fractions of 1)."""
    weights: dict[str, dict[str, Fraction]] = defaultdict(dict)  # y -> owner -> share
    for owner, owned, data in graph.edges(data=True):
        if owner == owned:
            continue
        share = counted_share(data["edges"], policy)
        if share is None:
            continue
        value = fraction_of(share[1] if upper else share[0], upper)
        if value > 0:
            weights[owned][owner] = value
    downstream = set()
    stack = list(seeds)
    while stack:
        x = stack.pop()
        for y in graph.successors(x):
            if y not in seeds and y not in downstream and x in weights.get(y, {}):
                downstream.add(y)
                stack.append(y)
    order = sorted(downstream)
    if all(sum(weights[y].values()) <= 1 for y in order):
        return _solve_exact(order, seeds, weights)
    return _iterate_capped(order, seeds, weights)


def _solve_exact(order: list[str], seeds: set[str], weights) -> dict[str, Fraction]:
    index = {k: i for i, k in enumerate(order)}
    n = len(order)
    rows = []
    for y in order:
        row = [Fraction(0)] * (n + 1)
        row[index[y]] += 1
        for owner, share in weights[y].items():
            if owner in seeds:
                row[n] += share
            elif owner in index:
                row[index[owner]] -= share
        rows.append(row)
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return _iterate_capped(order, seeds, weights)  # singular: a closed 100% cycle
        rows[col], rows[pivot] = rows[pivot], rows[col]
        p = rows[col][col]
        rows[col] = [v / p for v in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    return {y: rows[index[y]][n] for y in order}


def _iterate_capped(order: list[str], seeds: set[str], weights, tolerance: float = 1e-15,
                    limit: int = 100000) -> dict[str, Fraction]:
    values = {y: 0.0 for y in order}
    for _ in range(limit):
        change = 0.0
        fresh = {}
        for y in order:
            total = 0.0
            for owner, share in weights[y].items():
                total += float(share) * (1.0 if owner in seeds else values.get(owner, 0.0))
            fresh[y] = min(1.0, total)
            change = max(change, abs(fresh[y] - values[y]))
        values = fresh
        if change <= tolerance:
            break
    return {y: Fraction(v) for y, v in values.items()}
