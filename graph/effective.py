"""Integrated ownership decided exactly: effective shares as fractions, with open (exclusive) bounds.

E(y) = min(1, sum over owners o of share(o, y) * w(o)), w(o) = 1 for a seed and E(o) otherwise, is solved
per bound (the lower ends of every share, or the upper ends) one strongly connected component at a time,
upstream first, in exact fractions: an acyclic party is a sum; a cycle is a small linear system solved
by Gaussian elimination. Where upper ends sum past 100% the least fixpoint is capped at 100%: the capped
parties are found by iterating in floating point and the result is then checked exactly; a component
whose check fails (or that is too large to eliminate) keeps its floating-point values, marked inexact,
and is never decided at the threshold.

A bound is *open* (the true value lies strictly above a lower bound, strictly below an upper one) exactly
when an open end contributes to it with a positive weight: there is a walk from a seed to the party over
edges that carry weight at that bound (a positive end, or an open one) that passes an open end, and no
party after that end is capped at 100%. So 100% x (50, 75] is still (50, 75], and a band held by a party
no seed owns leaves the bound closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import networkx as nx

from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import CLEAR, INDETERMINATE, RESTRICTED, Standing
from ownergraph.graph.share import SCALE, UNIT

MAX_CYCLE = 400  # parties in one ownership cycle eliminated exactly; larger ones stay in floating point
ONE = Fraction(1)


@dataclass(frozen=True)
class Bound:
    """One bound of a party's effective share: a fraction of 1, open or not, exact or not."""

    value: Fraction
    open: bool = False
    exact: bool = True


def end_of(encoded: int, upper: bool) -> tuple[Fraction, bool]:
    """An encoded end (graph/share.py) as (fraction of 1, exclusive?)."""
    if upper:
        units = -((-encoded) // SCALE)
        return Fraction(units, UNIT * 100), units * SCALE != encoded
    units, rest = divmod(encoded, SCALE)
    return Fraction(units, UNIT * 100), rest > 0


def solve(pairs: Mapping[tuple[str, str], tuple[int, int]], seeds: set[str], upper: bool,
          wanted: Iterable[str] | None = None) -> dict[str, Bound]:
    """The bound of E for every non-seed party downstream of a seed (or only for `wanted` and what they depend on).

    `pairs`: (owner, owned) -> the owner's counted share in the owned party, encoded (lo, hi)."""
    ends, graph = _weighted(pairs, seeds, upper)
    region = reach(graph.successors, seeds) - seeds
    if wanted is not None:
        region &= reach(graph.predecessors, {w for w in wanted if w in region})
    values: dict[str, Fraction] = {}
    exact: dict[str, bool] = {}
    capped: set[str] = set()
    sub = graph.subgraph(region)
    condensed = nx.condensation(sub)
    for component in nx.topological_sort(condensed):
        members = sorted(condensed.nodes[component]["members"])
        _component(members, ends, seeds, values, exact, capped)
    opened = _open(graph, ends, seeds, region, capped)
    return {y: Bound(values[y], y in opened, exact[y]) for y in region}


def _weighted(pairs: Mapping[tuple[str, str], tuple[int, int]], seeds: set[str], upper: bool):
    """owned -> owner -> (end, open?) for the edges that carry weight at the bound, and their graph."""
    ends: dict[str, dict[str, tuple[Fraction, bool]]] = defaultdict(dict)
    for (owner, owned), share in pairs.items():
        if owner == owned or owned in seeds:
            continue
        value, open_ = end_of(share[1] if upper else share[0], upper)
        if value > 0 or (open_ and not upper):
            ends[owned][owner] = (value, open_)
    graph = nx.DiGraph()
    for owned, owners in ends.items():
        for owner in owners:
            graph.add_edge(owner, owned)
    graph.add_nodes_from(seeds)
    return ends, graph


def open_bounds(pairs: Mapping[tuple[str, str], tuple[int, int]], seeds: set[str], upper: bool) -> set[str]:
    """The parties whose bound is open when no party is capped at 100% (no owners' ends sum past it)."""
    ends, graph = _weighted(pairs, seeds, upper)
    return _open(graph, ends, seeds, set(graph) - seeds, set())


def reach(step, sources: set[str]) -> set[str]:
    """`sources` and every party reached from them, one `step` (successors or predecessors) at a time."""
    seen = set(sources)
    stack = list(sources)
    while stack:
        for y in step(stack.pop()):
            if y not in seen:
                seen.add(y)
                stack.append(y)
    return seen


def _weight(owner: str, seeds: set[str], values: Mapping[str, Fraction]) -> Fraction:
    return ONE if owner in seeds else values.get(owner, Fraction(0))


def _component(members: list[str], ends, seeds: set[str], values: dict[str, Fraction], exact: dict[str, bool],
               capped: set[str]) -> None:
    inside = set(members)
    inflow = {y: sum((v * _weight(o, seeds, values) for o, (v, _) in ends[y].items() if o not in inside),
                     Fraction(0)) for y in members}
    inexact_input = any(not exact.get(o, True) for y in members for o in ends[y] if o not in inside)
    if len(members) == 1 and members[0] not in ends[members[0]]:
        y = members[0]
        values[y] = min(ONE, inflow[y])
        exact[y] = not inexact_input
        if inflow[y] > 1:
            capped.add(y)
        return
    internal = {y: {o: v for o, (v, _) in ends[y].items() if o in inside} for y in members}
    no_cap = all(sum(internal[y].values(), Fraction(0)) + inflow[y] <= 1 for y in members)
    result = None
    if len(members) <= MAX_CYCLE:
        if no_cap:
            result = _linear(members, internal, inflow, set())
        else:
            result = _capped(members, internal, inflow)
    if result is None:
        floats = _iterate(members, internal, inflow)
        for y in members:
            values[y], exact[y] = Fraction(floats[y]), False
            if floats[y] >= 1.0:
                capped.add(y)
        return
    solved, at_cap = result
    for y in members:
        values[y], exact[y] = solved[y], not inexact_input
    capped |= at_cap


def _linear(members: list[str], internal, inflow, fixed: set[str]) -> tuple[dict[str, Fraction], set[str]] | None:
    """x = A x + c over the members not in `fixed` (those are 1), by exact Gaussian elimination."""
    free = [y for y in members if y not in fixed]
    index = {y: i for i, y in enumerate(free)}
    n = len(free)
    rows = []
    for y in free:
        row = [Fraction(0)] * (n + 1)
        row[index[y]] += 1
        row[n] = inflow[y]
        for owner, share in internal[y].items():
            if owner in fixed:
                row[n] += share
            else:
                row[index[owner]] -= share
        rows.append(row)
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        p = rows[col][col]
        rows[col] = [v / p for v in rows[col]]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col])]
    solved = {y: rows[index[y]][n] for y in free}
    solved.update({y: ONE for y in fixed})
    return solved, set(fixed)


def _iterate(members: list[str], internal, inflow) -> dict[str, float]:
    """The least fixpoint of x = min(1, A x + c), by monotone iteration in floating point."""
    c = {y: float(inflow[y]) for y in members}
    a = {y: [(o, float(v)) for o, v in internal[y].items()] for y in members}
    x = dict.fromkeys(members, 0.0)
    for _ in range(100000):
        fresh = {y: min(1.0, c[y] + sum(v * x[o] for o, v in a[y])) for y in members}
        change = max(abs(fresh[y] - x[y]) for y in members)
        x = fresh
        if change <= 1e-15:
            break
    return x


def _capped(members: list[str], internal, inflow) -> tuple[dict[str, Fraction], set[str]] | None:
    """The capped least fixpoint, exactly: the parties at 100% guessed by iteration, then verified."""
    floats = _iterate(members, internal, inflow)
    fixed = {y for y in members if floats[y] >= 1.0 - 1e-9}
    result = _linear(members, internal, inflow, fixed)
    if result is None:
        return None
    solved, _ = result
    for y in members:
        total = inflow[y] + sum((v * solved[o] for o, v in internal[y].items()), Fraction(0))
        if y in fixed and total < 1:
            return None
        if y not in fixed and not (0 <= solved[y] <= 1):
            return None
    return solved, {y for y in fixed
                    if inflow[y] + sum((v * solved[o] for o, v in internal[y].items()), Fraction(0)) > 1}


def _open(graph: nx.DiGraph, ends, seeds: set[str], region: set[str], capped: set[str]) -> set[str]:
    """The parties of `region` whose bound is open (see the module's docstring)."""
    weighted = reach(graph.successors, seeds)  # parties with weight at this bound
    opened: set[str] = set()
    stack = []
    for owned, owners in ends.items():
        if owned in capped or owned in seeds:
            continue
        if any(open_ and owner in weighted for owner, (_, open_) in owners.items()) and owned not in opened:
            opened.add(owned)
            stack.append(owned)
    while stack:
        x = stack.pop()
        for y in graph.successors(x):
            if y not in opened and y not in seeds and y not in capped:
                opened.add(y)
                stack.append(y)
    return opened & region


def decide(bound: Bound, threshold: Fraction, inclusive: bool, lower: bool, tolerance: Fraction) -> bool | None:
    """Whether a lower bound meets (or an upper bound can meet) the threshold; None when undecided."""
    if not bound.exact and abs(bound.value - threshold) <= tolerance:
        return None
    if bound.value != threshold:
        return bound.value > threshold
    if lower:
        return inclusive or bound.open
    return inclusive and not bound.open


TOLERANCE = Fraction(1, 10**9)  # of 1: how far from the threshold an inexact (floating-point) bound decides


def status(lo: Bound, hi: Bound, policy: Policy) -> str:
    """The verdict on an effective share between a lower and an upper bound (SPEC.md §3, Ranges)."""
    threshold = Fraction(policy.threshold) / 100
    if decide(lo, threshold, policy.inclusive, lower=True, tolerance=TOLERANCE):
        return RESTRICTED
    if decide(hi, threshold, policy.inclusive, lower=False, tolerance=TOLERANCE) is False:
        return CLEAR
    return INDETERMINATE


def record(standing: Standing, lo: Bound, hi: Bound, policy: Policy) -> None:
    """Put a non-seed party's effective share and verdict on its standing."""
    standing.effective_lo, standing.effective_hi = float(lo.value) * 100, float(hi.value) * 100
    standing.effective_lo_open, standing.effective_hi_open = lo.open, hi.open
    verdict = status(lo, hi, policy)
    if verdict != CLEAR:
        standing.enter("possible", 1, "ownership", ())
    if verdict == RESTRICTED:
        standing.enter("sure", 1, "ownership", ())
