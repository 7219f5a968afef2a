"""Flip points against brute force: each computed limit agrees with the reference engine's verdict at every
share tried, on small random graphs (aggregate and integrated, exclusive and inclusive thresholds, ranges)."""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from itertools import combinations

from builders import org, stake
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from ownergraph.graph import reference
from ownergraph.graph.flip import MAX_SET_EDGES, MAX_SET_SIZE, candidates, flips, upstream
from ownergraph.graph.network import Network, from_records
from ownergraph.graph.policy import builtin_policies, parse_policy
from ownergraph.graph.semantics import CLEAR, RESTRICTED
from ownergraph.graph.share import UNIT, Share
from ownergraph.graph.whatif import closure_of

AS_OF = date(2024, 6, 30)
EXAMPLES = int(os.environ.get("OWNERGRAPH_PROPERTY_EXAMPLES", "1000"))
SHARES = ["0", "5", "10", "16.7", "20", "25", "30", "33.3", "40", "45", "50", "55", "60", "75", "100"]
POLICIES = [
    builtin_policies()["cn-majority"],
    builtin_policies()["cn-effective"],
    parse_policy({"name": "cn-at-least", "extends": "cn-majority", "inclusive": True}),
    parse_policy({"name": "cn-effective-at-least", "extends": "cn-effective", "inclusive": True}),
]
GRID = [Fraction(v) for v in range(0, 101, 20)]


RANGES = [("25", "50", True, False), ("40", "60", False, False), ("45", "55", True, True), ("0", "100", False, False),
          ("50", "75", True, False), ("30", "50", False, True)]  # many straddle 50%: indeterminate verdicts
ENDED, NOT_YET = date(2024, 1, 1), date(2025, 1, 1)  # a stake that ended before AS_OF, one not begun by it


def share_of(draw) -> dict:
    """A stake's share: exact, or a range with exclusive ends (often across the threshold)."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        lo, hi, lo_open, hi_open = draw(st.sampled_from(RANGES))
        return {"lo": lo, "hi": hi, "lo_open": lo_open, "hi_open": hi_open}
    if kind == 1:
        lo, hi = sorted([Decimal(draw(st.sampled_from(SHARES))), Decimal(draw(st.sampled_from(SHARES)))])
        lo_open, hi_open = (draw(st.booleans()), draw(st.booleans())) if lo != hi else (False, False)
        return {"lo": str(lo), "hi": str(hi), "lo_open": lo_open, "hi_open": hi_open}
    return {"share": draw(st.sampled_from(SHARES))}


@st.composite
def graphs(draw):
    """A small graph and its target P0: never a seed, and reached from a seed by a path of stakes in force
    (the spine; sometimes two), so that most graphs have flip points to check; other stakes, some not in
    force on AS_OF, around it."""
    n = draw(st.integers(2, 6))
    items = [org("P0", "GB")] + [org(f"P{i}", draw(st.sampled_from(["CN", "GB", "GB"]))) for i in range(1, n)]
    links = []
    for _ in range(draw(st.sampled_from([1, 1, 2]))):  # two spines: two proofs, where removal sets are needed
        spine = [0] + draw(st.permutations(range(1, n)))[:draw(st.integers(1, n - 1))]
        if items[spine[-1]].headquarters != "CN":
            items[spine[-1]] = org(f"P{spine[-1]}", "CN")
        links += [(spine[i + 1], spine[i], "shareholding", None) for i in range(len(spine) - 1)]
    for _ in range(draw(st.integers(0, 7))):
        interest = draw(st.sampled_from(["shareholding"] * 6 + ["appointment-of-board"]))
        dated = draw(st.sampled_from([None] * 6 + [ENDED, NOT_YET]))
        links.append((draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)), interest, dated))
    seen = set()
    for owner, owned, interest, dated in links:
        if (owner, owned, interest) in seen:
            continue
        seen.add((owner, owned, interest))
        when = {"end": dated} if dated == ENDED else {"start": dated} if dated == NOT_YET else {}
        items.append(stake(f"P{owner}", f"P{owned}", **share_of(draw), **when, interest=interest,
                           record=f"r{len(items)}"))
    return items


def cone(network: Network, key: str) -> Network:
    """The party and everyone with a stake of any kind, in force or not, on a path to it: a verdict depends
    on nothing else (both methods look only upstream), so the brute force evaluates only this."""
    keep, frontier = {key}, [key]
    while frontier:
        owned = frontier.pop()
        for e in network.edges.values():
            if e.owned == owned and e.owner not in keep:
                keep.add(e.owner)
                frontier.append(e.owner)
    return replace(network, parties={k: p for k, p in network.parties.items() if k in keep},
                   edges={k: e for k, e in network.edges.items() if e.owner in keep and e.owned in keep})


def status_with(network: Network, edge_key: str, share: Fraction | None, policy, key: str) -> str:
    """The brute force: the reference engine's verdict with one edge set to an exact share (None: removed)."""
    edges = dict(network.edges)
    if share is None:
        del edges[edge_key]
    else:
        value = Share.exact(Decimal(share.numerator) / Decimal(share.denominator))
        lo, hi = value.encode()
        edges[edge_key] = replace(edges[edge_key], lo=lo, hi=hi, share_min=float(value.lo), share_max=float(value.hi),
                                  min_open=False, max_open=False)
    return reference.evaluate(replace(network, edges=edges), policy, AS_OF).status(key)


def probes(limit: Fraction | None) -> list[Fraction]:
    """The grid, and the shares on the encoding's unit just around the limit."""
    out = set(GRID)
    if limit is not None:
        below, above = Fraction(math.floor(limit * UNIT), UNIT), Fraction(math.ceil(limit * UNIT), UNIT)
        out |= {s for s in (below - Fraction(1, UNIT), below, above, above + Fraction(1, UNIT)) if 0 <= s <= 100}
    return sorted(out)


def predicted(condition: str, limit: Fraction, s: Fraction) -> bool:
    return {"at_most": s <= limit, "below": s < limit, "at_least": s >= limit, "above": s > limit}[condition]


def brute_clearing_size(network: Network, edges: list, policy, key: str) -> int | None:
    """The brute force for removal sets: the size of the smallest subset of `edges` whose removal clears the
    party, trying every subset (None: not even all of them)."""
    for size in range(1, len(edges) + 1):
        for group in combinations(edges, size):
            gone = {e.key for e in group}
            rest = replace(network, edges={k: e for k, e in network.edges.items() if k not in gone})
            if reference.evaluate(rest, policy, AS_OF).status(key) == CLEAR:
                return size
    return None


def check_sets(network: Network, report, policy, key: str) -> bool:
    """Removal sets against brute force: each set clears the party, none is larger than needed (no smaller
    set of the candidates does), and "none found" only where no set within the search's bound exists.
    True when the sets were looked for at all."""
    for found in report.sets:  # each clears the party together, where no single stake could
        assert all(p.condition == "cannot" for p in report.points if p.goal == "clear")
        gone = {e.key for e in network.edges.values() for x in found.edges
                if (e.owner, e.owned, e.type) == (x.owner, x.owned, x.interest)}
        assert len(gone) == len(found.edges)
        rest = replace(network, edges={k: e for k, e in network.edges.items() if k not in gone})
        assert reference.evaluate(rest, policy, AS_OF).status(key) == CLEAR, found.sentence
    if report.verdict == CLEAR or any(p.goal == "clear" and p.condition != "cannot" for p in report.points):
        assert not report.sets
        return False
    up = upstream(network, key, AS_OF)
    pool = candidates(up, closure_of(up, policy, AS_OF), key)[:MAX_SET_EDGES]
    if len(pool) > 10:  # small graphs only
        return False
    smallest = brute_clearing_size(network, pool, policy, key)
    if report.sets:
        assert {len(found.edges) for found in report.sets} == {smallest}, (smallest, report.sets)
    else:
        assert smallest is None or smallest > MAX_SET_SIZE or smallest == 1, (smallest, report.explanation)
        if smallest == 1:  # removing a control interest alone can clear where no share of it does: not a set
            assert any(p.condition == "remove" for p in report.points)
        elif len(pool) >= 2:
            assert "no set of" in report.explanation[0], report.explanation
    return True


def check_point(network: Network, point, policy, key: str) -> None:
    """One flip point against the reference engine at every share tried (or with the edge removed)."""
    edge = next(e for e in network.edges.values() if (e.owner, e.owned, e.type) ==
                (point.edge.owner, point.edge.owned, point.edge.interest))
    reached = (lambda st: st == CLEAR) if point.goal == "clear" else (lambda st: st == RESTRICTED)
    if point.condition == "remove":
        assert reached(status_with(network, edge.key, None, policy, key)), point.sentence
        return
    limit = Fraction(point.exact) if point.exact is not None else None
    for s in probes(limit):
        actual = reached(status_with(network, edge.key, s, policy, key))
        if point.condition == "cannot":
            assert not actual, f"{point.sentence} yet at {s}% it is {point.goal}"
        else:
            assert limit is not None
            assert actual == predicted(point.condition, limit, s), (
                f"{point.sentence} ({point.condition} {limit}) but at {float(s)}% it is "
                f"{'' if actual else 'not '}{point.goal}")


def test_flip_points_agree_with_brute_force():
    """Every flip point of the target of each random graph, at every share tried; the share of graphs with
    at least one point to check is counted, so that a strategy producing few would fail this test."""
    seen: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(items=graphs(), policy_index=st.integers(0, len(POLICIES) - 1))
    def check(items, policy_index):
        policy = POLICIES[policy_index]
        network = from_records(items)
        key = "t:P0"
        note(f"{policy.name}, target {key}: " + "; ".join(
            f"{e.owner}>{e.owned} {e.type} [{e.share_min}{'o' if e.min_open else ''},"
            f"{e.share_max}{'o' if e.max_open else ''}] {e.start or ''}..{e.end or ''}" for e in network.edges.values())
            + "; seeds " + ", ".join(k for k, p in network.parties.items() if p.country == "CN"))
        report = flips(network, key, policy, AS_OF)
        assert report.verdict == reference.evaluate(network, policy, AS_OF).status(key)
        network = cone(network, key)
        assert report.verdict == reference.evaluate(network, policy, AS_OF).status(key)
        seen["examples"] += 1
        event(f"verdict {report.verdict}")
        if check_sets(network, report, policy, key):
            seen["sets searched"] += 1
            event("removal sets searched")
        moving = [p for p in report.points if p.condition != "cannot"]
        event("points checked: " + ("none" if not report.points else "cannot only" if not moving else "some move"))
        for found in report.points:
            check_point(network, found, policy, key)
        seen["with points"] += bool(report.points)
        seen["with a moving point"] += bool(moving)
        seen["points"] += len(report.points)

    check()
    print(dict(seen))
    assert seen["with points"] >= 0.75 * seen["examples"], seen
    assert seen["with a moving point"] >= 0.5 * seen["examples"], seen


def demo_network() -> Network:
    from pathlib import Path

    from ownergraph.loaders.memory import read

    return read([Path(__file__).resolve().parents[1] / "ownergraph" / "demo"]).network


def test_demo_flip_points_read_as_an_investigator_asks():
    network = demo_network()
    policy = builtin_policies()["cn-majority"]
    vantage = flips(network, "csv:VANTAGE", policy, AS_OF)
    assert vantage.verdict == "restricted"
    sentences = {p.sentence for p in vantage.points}
    assert ("Nordlicht Investments S.a r.l.'s 60% in Rheinwerk Beteiligungs GmbH must fall to 50% or less for "
            "Vantage Robotics B.V. to be clear.") in sentences
    assert ("Dragon Peak Holdings Ltd's 100% in Nordlicht Investments S.a r.l. must fall to 50% or less for "
            "Vantage Robotics B.V. to be clear.") in sentences
    baltic = flips(network, "csv:BALTIC", policy, AS_OF)
    band = next(p for p in baltic.points if p.edge.owner == "csv:RHEINWERK" and p.goal == "clear")
    assert (band.condition, band.exact) == ("at_most", "40")
    rise = next(p for p in baltic.points if p.edge.owner == "csv:RHEINWERK" and p.goal == "restricted")
    assert (rise.condition, rise.exact) == ("above", "40")
    iberia = flips(network, "csv:IBERIA", policy, AS_OF)
    assert any(p.condition == "remove" for p in iberia.points)
    # inclusive threshold: at 50% itself the party is restricted, so the stake must fall below it
    inclusive = parse_policy({"name": "cn-at-least", "extends": "cn-majority", "inclusive": True})
    vantage = flips(network, "csv:VANTAGE", inclusive, AS_OF)
    nordlicht = next(p for p in vantage.points if p.edge.owner == "csv:NORDLICHT")
    assert (nordlicht.condition, nordlicht.exact) == ("below", "50")


def test_integrated_flip_point_is_an_exact_fraction():
    network = demo_network()
    vantage = flips(network, "csv:VANTAGE", builtin_policies()["cn-effective"], AS_OF)
    last = next(p for p in vantage.points if p.edge.owner == "csv:RHEINWERK")
    assert (last.condition, last.exact) == ("at_most", "250/3")  # 60% x s > 50% exactly when s > 83 1/3%


def test_no_single_stake_clears_two_majority_holders_but_a_pair_does():
    items = [org("S", "CN"), org("A"), org("B"), org("T"),
             stake("S", "A", "100"), stake("S", "B", "100"), stake("A", "T", "60"), stake("B", "T", "60")]
    report = flips(from_records(items), "t:T", builtin_policies()["cn-majority"], AS_OF)
    assert report.verdict == "restricted"
    assert all(p.condition == "cannot" for p in report.points)
    assert report.sets and all(len(s.edges) == 2 for s in report.sets)
    removed = {e.key for e in from_records(items).edges.values()
               if (e.owner, e.owned) in {(x.owner, x.owned) for x in report.sets[0].edges}}
    network = from_records(items)
    rest = replace(network, edges={k: e for k, e in network.edges.items() if k not in removed})
    assert reference.evaluate(rest, builtin_policies()["cn-majority"], AS_OF).status("t:T") == CLEAR


def test_no_set_within_the_bound_is_said_plainly():
    # six seeds hold 20% each: giving up three still leaves 60%, so it takes four, beyond the search's bound
    items = [org("T")] + [org(f"S{i}", "CN") for i in range(6)] + [stake(f"S{i}", "T", "20") for i in range(6)]
    network = from_records(items)
    report = flips(network, "t:T", builtin_policies()["cn-majority"], AS_OF)
    assert report.verdict == "restricted" and not report.sets
    assert all(p.condition == "cannot" for p in report.points)
    assert report.explanation == [
        "No single stake on the paths to T makes it clear on its own, and no set of 2 to 3 of the 6 stakes "
        "searched (those of its proof nearest it, at most 12) clears it when all are given up; larger sets were "
        "not searched."]
    assert brute_clearing_size(network, list(network.edges.values()), builtin_policies()["cn-majority"], "t:T") == 4
    # five at 25%: three of them together do, and no two
    items = [org("T")] + [org(f"S{i}", "CN") for i in range(5)] + [stake(f"S{i}", "T", "25") for i in range(5)]
    report = flips(from_records(items), "t:T", builtin_policies()["cn-majority"], AS_OF)
    assert report.sets and {len(s.edges) for s in report.sets} == {3}
    assert report.explanation[0].startswith("No single stake clears T; these 3 together do, if all are given up:")
