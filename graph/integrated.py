"""Integrated (effective) ownership with scipy: E = A E + b over the parties downstream of the seeds.

When every party's counted owners hold at most 100% of it, the system is solved directly with a sparse
LU factorisation (cycles included). Upper ends of ranges can sum past 100%; then, as in the reference,
E is the least fixpoint of E = min(1, A E + b), reached by monotone iteration to 1e-15.

Floating point decides a party only when its bound lies clearly off the threshold (more than 1e-8 of
the whole); the parties near it, and every party when some were capped at 100%, are solved again
exactly in fractions over their upstream cone, open bounds included (graph/effective.py), as the
reference engine solves every party. Which bounds are open is a reachability question on the cone.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import numpy as np
from scipy.sparse import csr_matrix, identity
from scipy.sparse.linalg import MatrixRankWarning, spsolve

from ownergraph.graph import effective
from ownergraph.graph.network import Network
from ownergraph.graph.semantics import Closure, counted_share, counts
from ownergraph.graph.share import SCALE, UNIT


def counted_pairs(network: Network, closure: Closure) -> dict[tuple[str, str], tuple[int, int]]:
    """(owner, owned) -> the owner's counted share (encoded lo, hi) among the edges in force."""
    grouped = defaultdict(list)
    for edge in network.edges.values():
        if counts(edge, closure.as_of):
            grouped[(edge.owner, edge.owned)].append(edge)
    out = {}
    for pair, edges in grouped.items():
        share = counted_share(edges, closure.policy)
        if share is not None:
            out[pair] = share
    return out


def shares(pairs: dict[tuple[str, str], tuple[int, int]], upper: bool) -> dict[str, dict[str, float]]:
    """owned -> owner -> counted share (fraction of 1) at one bound."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (owner, owned), share in pairs.items():
        encoded = share[1] if upper else share[0]
        units = -((-encoded) // SCALE) if upper else encoded // SCALE
        if units > 0:
            out[owned][owner] = units / (UNIT * 100)
    return out


def solve(weights: dict[str, dict[str, float]], seeds: set[str]) -> tuple[dict[str, float], bool]:
    """E per party in floating point, and whether it came from the direct solve (no party capped at 100%)."""
    downstream: set[str] = set()
    children = defaultdict(set)
    for owned, owners in weights.items():
        for owner in owners:
            children[owner].add(owned)
    stack = list(seeds)
    while stack:
        node = stack.pop()
        for y in children[node]:
            if y not in seeds and y not in downstream:
                downstream.add(y)
                stack.append(y)
    order = sorted(downstream)
    if not order:
        return {}, True
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
                    return dict(zip(order, np.atleast_1d(x).tolist())), True
            except (MatrixRankWarning, RuntimeError):
                pass
    x = np.zeros(len(order))
    for _ in range(100000):
        fresh = np.minimum(1.0, a @ x + b)
        if np.max(np.abs(fresh - x)) <= 1e-15:
            x = fresh
            break
        x = fresh
    return dict(zip(order, x.tolist())), False


MARGIN = 1e-8  # of 1: a floating-point bound this close to the threshold is solved again exactly


def apply(network: Network, closure: Closure, seeds: set[str]) -> None:
    """Fill effective shares and statuses of every non-seed party of the network."""
    for key in seeds:
        closure.standings[key].enter("sure", 0, "seed")
        closure.standings[key].enter("possible", 0, "seed")
    pairs = counted_pairs(network, closure)
    threshold = float(closure.policy.threshold) / 100
    bounds: list[dict[str, effective.Bound]] = []
    for upper in (False, True):
        values, direct = solve(shares(pairs, upper), seeds)
        near = {k for k, v in values.items() if not direct or abs(v - threshold) <= MARGIN}
        opened = effective.open_bounds(pairs, seeds, upper) if direct else set()
        found = {k: effective.Bound(Fraction(v), k in opened, exact=False) for k, v in values.items()}
        if near:
            found.update(effective.solve(pairs, seeds, upper, wanted=near))
        bounds.append(found)
    zero = effective.Bound(Fraction(0))
    for key, standing in closure.standings.items():
        if key not in seeds:
            effective.record(standing, bounds[0].get(key, zero), bounds[1].get(key, zero), closure.policy)
