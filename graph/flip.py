"""Flip points: the smallest change to one stake that turns a verdict, exactly, holding the rest fixed.

For a restricted or indeterminate party, each edge of its proof (and each edge from a restricted or
possibly restricted direct holder) gets the largest share it could have for the party to be clear; for
an indeterminate or clear party, the smallest share that makes it restricted. Where no single edge can
clear it, the smallest sets of those edges (the candidates) whose removal together clears it are given
instead.

**Removal sets.** A set is the smallest number of candidate stakes that, all given up, clear the party;
it is not restricted to one path. A party held 60% by each of two restricted holders has two proofs, and
a set along one path leaves the other standing: the party stays restricted until one edge on each proof is
gone, so the set is one edge from each path (here the two 60% stakes, or a stake further up each path).
Removing stakes only lowers every share (the monotonicity below), so a set that clears the party stays
clearing when more is removed, and the sizes are searched from 2 upwards: the first size that clears it
is the smallest, and every set reported has that size. Under the aggregate method removing every
candidate always clears the party (its non-clear holders' edges are all candidates), but the search is
bounded: sets of at most MAX_SET_SIZE of the MAX_SET_EDGES candidates nearest the party. Where none is
found within that bound the answer says so, with the bound; it does not claim that no set exists.

Setting an edge e = o -> y to an exact share s (0 <= s <= 100) leaves every other stake as it is, ranges
included. Write g(s) for "the party is in R_possible" (the goal "clear" is not g) or "the party is in
R_sure" (the goal "restricted" is g).

**Monotonicity.** Both methods are monotone in every share (SPEC.md §3): under the aggregate method the
operator F_s(X) = seeds + {y : members of X hold enough of y} grows with s for every X, so its least
fixpoint R(s) grows with s; under the integrated method E = A E + b has non-negative A and b, and E,
the least fixpoint of X -> min(1, A X + b), grows with every entry. So g is a step function of s: the
set where it holds is an up-set [c, 100] or (c, 100] (or empty, or everything), and one number c and
whether c itself belongs decide every s.

**Aggregate: the exact c.** Let R0 = R(0) (computed with e's share 0; o's other measured interests in y
stay). F_s and F_0 differ only in whether y enters. If y is in R0, R(s) = R0 for every s. Otherwise R0 is
a fixpoint of F_s (hence the least one, as R(s) contains R0) unless y enters F_s(R0), that is, o is in
R0 and max(s, m) + S meets the threshold, where m is o's largest other measured share in y and S the
sum of the counted shares of y's other holders in R0. Once y is in, the rest of the closure follows and
no longer depends on s. So for a party that depends on e at all, c solves s + S = T in the integer
encoding of graph/share.py: c = T - S, rounded to the encoding's unit (10^-8 of a percent); the sum's
exclusive ends and the threshold's inclusiveness decide whether c itself belongs, which is read off the
reference engine at s = c. Hence "Nordlicht's 60% in Rheinwerk must fall to 50% or less" (> 50: at 50
the party is clear) against "below 50%" for an inclusive threshold.

**Integrated: the exact c.** E(s) = (I - A(s))^-1 b(s) where only one entry of A (o non-seed) or of b
(o a seed) depends on s, linearly: a rank-one change, so by Sherman-Morrison E_target(s) = (a + b s) /
(1 + d s) as long as no party's owners hold more than 100% (E is not capped). Three exact evaluations
(s = 0, r/2, r, with r the largest share at which y's owners still hold at most 100%; fractions from
graph/effective.py) fix a, b, d, and E(c) = T is solved exactly in fractions. At c itself E = T: the
engine is asked at c when c falls on the encoding's unit (exclusive ends then count); otherwise c
belongs to the restricted side exactly when the threshold is inclusive. Where the solution lies beyond
r, or sums are capped or inexact, c is found by bisection over the encoding's units, which by
monotonicity is exact at that resolution.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from itertools import combinations
from typing import Literal

from pydantic import BaseModel, Field

from ownergraph.graph.explain import INTEREST_WORDS, path_edge, proof_tree, share_words
from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import CLEAR, RESTRICTED, Closure, Edge, counted_share, counts, threshold
from ownergraph.graph.share import SCALE, UNIT, Share, fmt
from ownergraph.graph.verdict import PartyRef, PathEdge
from ownergraph.graph.whatif import closure_of, with_share

Goal = Literal["clear", "restricted"]
Condition = Literal["at_most", "below", "at_least", "above", "remove", "cannot"]
MAX_CANDIDATES = 25  # edges examined one by one
MAX_SET_EDGES = 12  # proof edges searched for removal sets
MAX_SET_SIZE = 3
HUNDRED = Fraction(100)
DECIMALS = len(str(UNIT)) - 1  # UNIT is a power of ten


class FlipPoint(BaseModel):
    """One edge's flip point: the verdict becomes `goal` when the edge's share satisfies `condition`."""

    edge: PathEdge
    goal: Literal["clear", "restricted"]
    condition: Condition
    value: float | None = Field(default=None, description="The limit, in percent (rounded to the encoding's unit)")
    exact: str | None = Field(default=None, description="The limit as an exact fraction of percent, e.g. 50 or 1000/19")
    sentence: str


class FlipSet(BaseModel):
    """Edges that together, removed, turn the verdict where no single one does."""

    edges: list[PathEdge]
    goal: Literal["clear", "restricted"]
    sentence: str


class Flips(BaseModel):
    party: PartyRef
    policy: str
    as_of: date
    verdict: str = Field(description="restricted, clear or indeterminate, as the verdict says")
    method: Literal["aggregate", "integrated"]
    points: list[FlipPoint] = Field(default_factory=list)
    sets: list[FlipSet] = Field(default_factory=list)
    explanation: list[str] = Field(default_factory=list)


# ---- one edge -------------------------------------------------------------------------------------------

class Probe:
    """The party's status with one edge set to chosen shares (the reference engine, nothing written)."""

    def __init__(self, network: Network, edge: Edge, key: str, policy: Policy, as_of: date) -> None:
        self.network, self.edge, self.key, self.policy, self.as_of = network, edge, key, policy, as_of
        self.memo: dict[Fraction, Closure] = {}

    def at(self, s: Fraction) -> Network:
        edges = dict(self.network.edges)
        edges[self.edge.key] = with_share(self.edge, Share.exact(decimal_of(s)))
        return replace(self.network, edges=edges)

    def closure(self, s: Fraction) -> Closure:
        if s not in self.memo:
            self.memo[s] = closure_of(self.at(s), self.policy, self.as_of)
        return self.memo[s]

    @cached_property
    def seeds(self) -> set[str]:  # a seed is a seed whatever the shares
        return {k for k, st in self.closure(Fraction(0)).standings.items() if st.seed}

    def pairs(self, s: Fraction) -> dict[tuple[str, str], tuple[int, int]]:
        from ownergraph.graph import reference

        return reference.counted_pairs(reference.as_digraph(self.at(s), self.as_of), self.policy)

    def status(self, s: Fraction) -> str:
        """The party's verdict with the edge at s: the aggregate closure, or (integrated) the party's own
        effective share bounds only, as the reference engine decides them (graph/effective.py)."""
        if self.policy.method == "aggregate" or self.key in self.seeds:
            return self.closure(s).status(self.key)
        from ownergraph.graph import effective

        pairs, zero = self.pairs(s), effective.Bound(Fraction(0))
        lo = effective.solve(pairs, self.seeds, upper=False, wanted=[self.key]).get(self.key, zero)
        hi = effective.solve(pairs, self.seeds, upper=True, wanted=[self.key]).get(self.key, zero)
        return effective.status(lo, hi, self.policy)

    def holds(self, goal: Goal, s: Fraction) -> bool:
        """g(s): possibly restricted (goal clear) or restricted (goal restricted), monotone in s."""
        status = self.status(s)
        return status != CLEAR if goal == "clear" else status == RESTRICTED


def decimal_of(s: Fraction) -> Decimal:
    """An exact share in percent on the encoding's unit (callers round to it first)."""
    return Decimal(s.numerator) / Decimal(s.denominator)


def on_unit(s: Fraction) -> bool:
    return (s * UNIT).denominator == 1


def aggregate_limit(probe: Probe, goal: Goal) -> Fraction:
    """c = T - S (see the module docstring), in percent, rounded to the encoding's unit."""
    bound = "possible" if goal == "clear" else "sure"
    closure = probe.closure(Fraction(0))
    edge, policy = probe.edge, probe.policy
    total = 0
    by_owner: dict[str, list[Edge]] = {}
    for e in probe.network.edges.values():
        if e.owned == edge.owned and e.owner != edge.owner and counts(e, probe.as_of):
            by_owner.setdefault(e.owner, []).append(e)
    for owner, edges in by_owner.items():
        standing = closure.standings.get(owner)
        share = counted_share(edges, policy)
        if standing is None or share is None:
            continue
        if (standing.sure_round if bound == "sure" else standing.possible_round) is not None:
            total += share[0] if bound == "sure" else share[1]
    gap = threshold(policy) - total
    return Fraction(round(Fraction(gap, SCALE)), UNIT)


def integrated_limit(probe: Probe, goal: Goal) -> Fraction | None:
    """The s (percent) at which E_target(s) equals the threshold exactly, or None when that is not found
    on the range of s where no party's owners hold more than 100% (the caller then bisects)."""
    from ownergraph.graph import effective

    upper = goal == "clear"
    edge = probe.edge
    room = HUNDRED
    seeds = probe.seeds
    points: list[tuple[Fraction, Fraction]] = []
    for step in range(3):
        s = Fraction(0) if step == 0 else room if step == 2 else Fraction(int(room * UNIT / 2), UNIT)
        pairs = probe.pairs(s)
        if step == 0:  # the largest s at which the owners of edge.owned still hold at most 100%
            others = sum((effective.end_of(v[1] if upper else v[0], upper)[0]
                          for (o, y), v in pairs.items() if y == edge.owned and o not in (edge.owner, y)), Fraction(0))
            room = min(HUNDRED, Fraction(int((1 - others) * 100 * UNIT), UNIT))
            if room * UNIT < 2:
                return None
        if capped(pairs, seeds, upper):
            return None
        bound = effective.solve(pairs, seeds, upper, wanted=[probe.key]).get(probe.key)
        if bound is not None and not bound.exact:
            return None
        points.append((s, bound.value if bound is not None else Fraction(0)))
    (_, f0), (p, f1), (q, f2) = points
    if f2 == f1:  # monotone: E does not move with s
        return None
    d = ((f1 - f0) / p - (f2 - f0) / q) / (f2 - f1)
    b = (f1 - f0) / p + f1 * d
    t = Fraction(probe.policy.threshold) / 100
    if b - t * d == 0:
        return None
    c = (t - f0) / (b - t * d)
    return c if 0 <= c <= room else None


def capped(pairs: dict[tuple[str, str], tuple[int, int]], seeds: set[str], upper: bool) -> bool:
    """Whether some party's counted owners hold more than 100% of it (E is then capped, not linear)."""
    from ownergraph.graph.effective import end_of

    totals: dict[str, Fraction] = {}
    for (owner, owned), share in pairs.items():
        if owner != owned and owned not in seeds:
            totals[owned] = totals.get(owned, Fraction(0)) + end_of(share[1] if upper else share[0], upper)[0]
    return any(v > 1 for v in totals.values())


def bisect(probe: Probe, goal: Goal) -> Fraction:
    """The smallest unit s with g(s), given g(100) holds and g(0) does not (monotone)."""
    lo, hi = 0, 100 * UNIT  # g(lo) false, g(hi) true
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if probe.holds(goal, Fraction(mid, UNIT)):
            hi = mid
        else:
            lo = mid
    return Fraction(hi, UNIT)


def limit(probe: Probe, goal: Goal) -> tuple[Fraction, bool] | None:
    """(c, whether g(c) holds) when g changes on [0, 100]; None when it does not (the edge alone cannot)."""
    if probe.holds(goal, Fraction(0)) or not probe.holds(goal, HUNDRED):
        return None
    if probe.policy.method == "aggregate":
        c: Fraction | None = aggregate_limit(probe, goal)
    else:
        c = integrated_limit(probe, goal)
    if c is None:  # g fails one unit below `first` and holds from it: either end states it exactly
        first = bisect(probe, goal)
        last = first - Fraction(1, UNIT)
        return (last, False) if len(decimal_text(last)) < len(decimal_text(first)) else (first, True)
    c = min(max(c, Fraction(0)), HUNDRED)
    if on_unit(c):
        return c, probe.holds(goal, c)
    return c, probe.policy.inclusive


def point(network: Network, edge: Edge, key: str, policy: Policy, as_of: date, goal: Goal) -> FlipPoint:
    probe = Probe(network, edge, key, policy, as_of)
    who = f"{network.name(edge.owner) or edge.owner}'s {share_words(edge)} in {network.name(edge.owned) or edge.owned}"
    target = network.name(key) or key
    if edge.type in policy.control and edge.type not in policy.measured:
        return removal_point(network, edge, key, policy, as_of, goal, who, target)
    found = limit(probe, goal)
    if found is None:
        status = probe.closure(Fraction(0) if goal == "clear" else HUNDRED).status(key)
        extreme = "0%" if goal == "clear" else "100%"
        return FlipPoint(edge=path_edge(network, edge), goal=goal, condition="cannot",
                         sentence=f"{who} alone cannot make {target} {goal}: even at {extreme} it is {status}.")
    c, holds_at = found
    condition: Condition
    value, exact = float(round(c, DECIMALS)), exact_text(c)
    shown = f"{exact}%" if on_unit(c) else f"{fmt(Decimal(value))}% (exactly {exact}%)"
    if goal == "clear":
        condition = "below" if holds_at else "at_most"
        words = f"below {shown}" if holds_at else "to 0% (be given up)" if c == 0 else f"to {shown} or less"
        sentence = f"{who} must fall {words} for {target} to be clear."
    else:
        condition = "at_least" if holds_at else "above"
        words = f"{shown} or more" if holds_at else f"more than {shown}"
        stake = f"{network.name(edge.owner) or edge.owner}'s stake in {network.name(edge.owned) or edge.owned}"
        sentence = f"{target} would be restricted if {stake} were {words}."
    return FlipPoint(edge=path_edge(network, edge), goal=goal, condition=condition, value=value, exact=exact,
                     sentence=sentence)


def removal_point(network: Network, edge: Edge, key: str, policy: Policy, as_of: date, goal: Goal,
                  who: str, target: str) -> FlipPoint:
    """A control interest has no share to lower: the question is whether removing it turns the verdict."""
    edges = {k: e for k, e in network.edges.items() if k != edge.key}
    status = closure_of(replace(network, edges=edges), policy, as_of).status(key)
    words = INTEREST_WORDS.get(edge.type, edge.type)
    owner = network.name(edge.owner) or edge.owner
    owned = network.name(edge.owned) or edge.owned
    if goal == "clear" and status == CLEAR:
        return FlipPoint(edge=path_edge(network, edge), goal=goal, condition="remove",
                         sentence=f"{target} would be clear if {owner} gave up {words} in {owned}.")
    return FlipPoint(edge=path_edge(network, edge), goal=goal, condition="cannot",
                     sentence=f"{who} alone cannot make {target} {goal}: without it {target} is {status}.")


def exact_text(c: Fraction) -> str:
    """50, 33.33333333 (on the encoding's unit), or 1000/19."""
    return decimal_text(c) if on_unit(c) else f"{c.numerator}/{c.denominator}"


def decimal_text(c: Fraction) -> str:
    if c.denominator == 1:
        return str(c.numerator)
    return format(decimal_of(c).normalize(), "f")


# ---- which edges ----------------------------------------------------------------------------------------

def candidates(network: Network, closure: Closure, key: str) -> list[Edge]:
    """The edges whose share can matter: the proof's, and those from non-clear direct holders (aggregate);
    the edges on paths from seeds to the party (integrated). Nearest the party first."""
    policy = closure.policy
    live = [e for e in network.edges.values() if counts(e, closure.as_of)
            and (e.type in policy.measured or e.type in policy.control)]
    found: dict[str, Edge] = {}
    if policy.method == "aggregate":
        status = closure.status(key)
        if status != CLEAR:
            tree = proof_tree(network, closure, key, "sure" if status == RESTRICTED else "possible")
            for edges in tree.values():
                found.update((e.key, e) for e in edges)
        for e in live:
            if e.owned == key and closure.status(e.owner) != CLEAR:
                found[e.key] = e
    else:
        seeds = {k for k, s in closure.standings.items() if s.seed}
        up = ancestors(live, key)
        down = descendants(live, seeds)
        found.update((e.key, e) for e in live if e.type in policy.measured and e.owned in up
                     and e.owned not in seeds and (e.owner in seeds or e.owner in down))
    distance = ancestors(live, key)
    return sorted(found.values(), key=lambda e: (distance.get(e.owned, 0), e.key))[:MAX_CANDIDATES]


def ancestors(edges: list[Edge], key: str) -> dict[str, int]:
    """key and its ancestors along the edges, with their distance from key."""
    parents: dict[str, list[str]] = {}
    for e in edges:
        parents.setdefault(e.owned, []).append(e.owner)
    out, frontier = {key: 0}, [key]
    while frontier:
        nxt = []
        for k in frontier:
            for p in parents.get(k, ()):
                if p not in out:
                    out[p] = out[k] + 1
                    nxt.append(p)
        frontier = nxt
    return out


def descendants(edges: list[Edge], roots: set[str]) -> set[str]:
    children: dict[str, list[str]] = {}
    for e in edges:
        children.setdefault(e.owner, []).append(e.owned)
    out, stack = set(roots), list(roots)
    while stack:
        for c in children.get(stack.pop(), ()):
            if c not in out:
                out.add(c)
                stack.append(c)
    return out


# ---- the report -----------------------------------------------------------------------------------------

def upstream(network: Network, key: str, as_of: date) -> Network:
    """The party and its owners, direct and indirect, with the stakes among them: all its verdict
    depends on (both methods look only upstream), so every probe evaluates no more than that."""
    live = [e for e in network.edges.values() if counts(e, as_of)]
    keep = set(ancestors(live, key))
    return replace(network, parties={k: p for k, p in network.parties.items() if k in keep},
                   edges={k: e for k, e in network.edges.items() if e.owned in keep and e.owner in keep})


def flips(network: Network, key: str, policy: Policy, as_of: date) -> Flips:
    network = upstream(network, key, as_of)
    closure = closure_of(network, policy, as_of)
    standing = closure.standings[key]
    status = standing.status
    report = Flips(party=PartyRef(id=key, name=network.name(key)), policy=policy.name, as_of=as_of,
                   verdict=status, method=policy.method)
    target = network.name(key) or key
    if standing.seed:
        report.explanation.append(f"{target} is {standing.seed}: it is restricted in its own right, and no stake "
                                  "changes that; only its own facts (headquarters, nationality, lists) would.")
        return report
    goals: list[Goal] = ["clear"] if status == RESTRICTED else ["restricted"] if status == CLEAR else ["clear", "restricted"]
    edges = candidates(network, closure, key)
    for goal in goals:
        for edge in edges:
            report.points.append(point(network, edge, key, policy, as_of, goal))
    searched = 0
    if "clear" in goals and not any(p.goal == "clear" and p.condition != "cannot" for p in report.points):
        report.sets = removal_sets(network, edges, key, policy, as_of)
        searched = min(len(edges), MAX_SET_EDGES)
    report.explanation = summary(report, target, goals, searched)
    return report


def removal_sets(network: Network, edges: list[Edge], key: str, policy: Policy, as_of: date) -> list[FlipSet]:
    """The smallest sets of the given edges whose removal together clears the party (at most three sets),
    among sets of 2 to MAX_SET_SIZE of the first MAX_SET_EDGES edges; none when no set that small does."""
    pool = edges[:MAX_SET_EDGES]
    for size in range(2, min(MAX_SET_SIZE, len(pool)) + 1):
        found = []
        for group in combinations(pool, size):
            gone = {e.key for e in group}
            rest = replace(network, edges={k: e for k, e in network.edges.items() if k not in gone})
            if closure_of(rest, policy, as_of).status(key) == CLEAR:
                words = "; ".join(f"{network.name(e.owner) or e.owner}'s {share_words(e)} in "
                                  f"{network.name(e.owned) or e.owned}" for e in group)
                found.append(FlipSet(edges=[path_edge(network, e) for e in group], goal="clear",
                                     sentence=f"No single stake clears {network.name(key) or key}; "
                                              f"these {size} together do, if all are given up: {words}."))
                if len(found) >= 3:
                    return found
        if found:
            return found
    return []


def is_heading(line: str) -> bool:
    """Whether a line of the explanation introduces the findings below it (it ends with a colon) rather
    than being one of them (a sentence)."""
    return line.endswith(":")


def summary(report: Flips, target: str, goals: list[Goal], searched: int = 0) -> list[str]:
    """The explanation: per goal a heading and the edges' sentences, or the removal sets, or why none.
    `searched`: how many candidate edges the removal sets were looked for among (0: not searched)."""
    out = []
    for goal in goals:
        moving = [p for p in report.points if p.goal == goal and p.condition != "cannot"]
        stuck = [p for p in report.points if p.goal == goal and p.condition == "cannot"]
        if moving:
            out.append(f"What would make {target} {goal}, one stake at a time (all else as it is):")
            out.extend(p.sentence for p in moving)
            out.extend(p.sentence for p in stuck)
        elif goal == "clear" and report.sets:
            out.extend(s.sentence for s in report.sets)
        elif goal == "clear" and 2 <= searched <= MAX_SET_SIZE:  # every set of them was tried
            out.append(f"No single stake on the paths to {target} makes it clear on its own, and no set of the "
                       f"{searched} stakes of its proof does either, not even all of them given up together.")
        elif goal == "clear" and searched > MAX_SET_SIZE:
            sizes = f"2 to {MAX_SET_SIZE}"
            out.append(f"No single stake on the paths to {target} makes it clear on its own, and no set of {sizes} "
                       f"of the {searched} stakes searched (those of its proof nearest it, at most {MAX_SET_EDGES}) "
                       "clears it when all are given up; larger sets were not searched.")
        else:
            out.append(f"No single stake on the paths to {target} makes it {goal} on its own.")
    return out
