"""Integrated (effective) ownership with scipy: E = A E + b over the parties downstream of the seeds.

When every party's counted owners hold at most 100% of it, the system is solved directly with a sparse
LU factorisation (cycles included). Upper ends of ranges can sum past 100%; then, as in the reference,
E is the least fixpoint of E = min(1, A E + b), reached by monotone iteration to 1e-15.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.sparse import csr_matrix, identity
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from ownergraph.graph.network import Network
from ownergraph.graph.semantics import CLEAR, RESTRICTED, Closure, counted_share, counts, effective_status
from ownergraph.graph.share import SCALE, UNIT


def shares(network: Network, closure: Closure, upper: bool) -> dict[str, dict[str, float]]:
    """owned -> owner -> counted share (fraction of 1) among the edges in force."""
    grouped = defaultdict(list)
    for edge in network.edges.values():
        if counts(edge, closure.as_of):
            grouped[(edge.owner, edge.owned)].append(edge)
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (owner, owned), edges in grouped.items():
        share = counted_share(edges, closure.policy)
        if share is None:
            continue
        encoded = share[1] if upper else share[0]
        units = -((-encoded) // SCALE) if upper else encoded // SCALE
        if units > 0:
            out[owned][owner] = units / (UNIT * 100)
    return out


def solve(weights: dict[str, dict[str, float]], seeds: set[str]) -> dict[str, float]:
    downstream: set[str] = set()
    children = defaultdict(set)
    for owned, owners in weights.items():
        for owner in owners:
            children[owner].add(owned)
    stack = list(seeds)
    while stack:
        x = stack.pop()
        for y in children[x]:
            if y not in seeds and y not in downstream:
                downstream.add(y)
                stack.append(y)
    order = sorted(downstream)
    if not order:
        return {}
    index = {k: i for i, k in enumerate(order)}
    rows, cols, vals = [], [], []
    b = np.zeros(len(order))
    for y in order:
        for owner, share in weights[y].items():
            if owner in seeds:
                b[index[y]] += share
            elif owner in index:
                rows.append(index[y])
                cols.append(index[owner])
                vals.append(share)
    a = csr_matrix((vals, (rows, cols)), shape=(len(order), len(order)))
    if all(sum(weights[y].values()) <= 1 + 1e-12 for y in order):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error", MatrixRankWarning)
            try:
                x = spsolve((identity(len(order), format="csc") - a).tocsc(), b)
                if np.all(np.isfinite(x)):
                    return dict(zip(order, np.atleast_1d(x).tolist()))
            except (MatrixRankWarning, RuntimeError):
                pass
    x = np.zeros(len(order))
    for _ in range(100000):
        fresh = np.minimum(1.0, a @ x + b)
        if np.max(np.abs(fresh - x)) <= 1e-15:
            x = fresh
            break
        x = fresh
    return dict(zip(order, x.tolist()))


def parents_of(network: Network) -> dict[str, list]:
    parents = defaultdict(list)
    for edge in network.edges.values():
        parents[edge.owned].append(edge)
    return parents


def exclusive_upstream(parents: dict[str, list], key: str) -> bool:
    """Whether an interest with an exclusive end lies upstream of `key` (`parents`: see parents_of)."""
    seen, stack = {key}, [key]
    while stack:
        for edge in parents.get(stack.pop(), ()):
            if edge.min_open or edge.max_open:
                return True
            if edge.owner not in seen:
                seen.add(edge.owner)
                stack.append(edge.owner)
    return False


def apply(network: Network, closure: Closure, seeds: set[str]) -> None:
    """Fill effective shares and statuses of every non-seed party of the network."""
    for key in seeds:
        closure.standings[key].enter("sure", 0, "seed")
        closure.standings[key].enter("possible", 0, "seed")
    low = solve(shares(network, closure, upper=False), seeds)
    high = solve(shares(network, closure, upper=True), seeds)
    parents = parents_of(network)
    for key, standing in closure.standings.items():
        if key in seeds:
            continue
        standing.effective_lo = low.get(key, 0.0) * 100
        standing.effective_hi = high.get(key, 0.0) * 100
        status = effective_status(standing.effective_lo, standing.effective_hi, closure.policy,
                                  lambda key=key: exclusive_upstream(parents, key))
        if status != CLEAR:
            standing.enter("possible", 1, "ownership")
        if status == RESTRICTED:
            standing.enter("sure", 1, "ownership")
