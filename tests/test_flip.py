"""Flip points against brute force: each computed limit agrees with the reference engine's verdict at every
share tried, on small random graphs (aggregate and integrated, exclusive and inclusive thresholds, ranges)."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from builders import org, stake
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from ownergraph.graph import reference
from ownergraph.graph.flip import flips
from ownergraph.graph.network import Network, from_records
from ownergraph.graph.policy import builtin_policies, parse_policy
from ownergraph.graph.semantics import CLEAR, RESTRICTED
from ownergraph.graph.share import UNIT, Share

AS_OF = date(2024, 6, 30)
EXAMPLES = int(os.environ.get("OWNERGRAPH_PROPERTY_EXAMPLES", "1000"))
SHARES = ["0", "5", "10", "16.7", "20", "25", "30", "33.3", "40", "45", "50", "55", "60", "75", "100"]
POLICIES = [
    builtin_policies()["cn-majority"],
    builtin_policies()["cn-effective"],
    parse_policy({"name": "cn-at-least", "extends": "cn-majority", "inclusive": True}),
    parse_policy({"name": "cn-effective-at-least", "extends": "cn-effective", "inclusive": True}),
]
GRID = [Fraction(v) for v in range(0, 101, 5)]


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 6))
    items = [org(f"P{i}", draw(st.sampled_from(["CN", "GB", "GB"]))) for i in range(n)]
    seen = set()
    for _ in range(draw(st.integers(1, 9))):
        owner, owned = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        interest = draw(st.sampled_from(["shareholding"] * 6 + ["appointment-of-board"]))
        if (owner, owned, interest) in seen:
            continue
        seen.add((owner, owned, interest))
        if draw(st.integers(0, 3)) == 0:
            lo, hi = sorted([Decimal(draw(st.sampled_from(SHARES))), Decimal(draw(st.sampled_from(SHARES)))])
            lo_open, hi_open = (draw(st.booleans()), draw(st.booleans())) if lo != hi else (False, False)
            items.append(stake(f"P{owner}", f"P{owned}", lo=str(lo), hi=str(hi), lo_open=lo_open, hi_open=hi_open,
                               interest=interest, record=f"r{len(items)}"))
        else:
            items.append(stake(f"P{owner}", f"P{owned}", draw(st.sampled_from(SHARES)), interest=interest,
                               record=f"r{len(items)}"))
    return items


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


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(items=graphs(), policy_index=st.integers(0, len(POLICIES) - 1), target=st.integers(0, 5),
       pick=st.integers(0, 1000))
def test_flip_points_agree_with_brute_force(items, policy_index, target, pick):
    policy = POLICIES[policy_index]
    network = from_records(items)
    key = f"t:P{target % len(network.parties)}"
    note(f"{policy.name}, target {key}: " + "; ".join(f"{e.owner}>{e.owned} {e.type} [{e.share_min}{'o' if e.min_open else ''},"
                                                    f"{e.share_max}{'o' if e.max_open else ''}]" for e in network.edges.values())
         + "; seeds " + ", ".join(k for k, p in network.parties.items() if p.country == "CN"))
    report = flips(network, key, policy, AS_OF)
    assert report.verdict == reference.evaluate(network, policy, AS_OF).status(key)
    for found in report.sets:  # removal sets: each clears the party together, where no single stake could
        assert all(p.condition == "cannot" for p in report.points if p.goal == "clear")
        gone = {e.key for e in network.edges.values() for x in found.edges
                if (e.owner, e.owned, e.type) == (x.owner, x.owned, x.interest)}
        rest = replace(network, edges={k: e for k, e in network.edges.items() if k not in gone})
        assert reference.evaluate(rest, policy, AS_OF).status(key) == CLEAR, found.sentence
    if not report.points:
        return
    point = report.points[pick % len(report.points)]
    edge = next(e for e in network.edges.values() if (e.owner, e.owned, e.type) ==
                (point.edge.owner, point.edge.owned, point.edge.interest))
    reached = (lambda st: st == CLEAR) if point.goal == "clear" else (lambda st: st == RESTRICTED)
    if point.condition == "remove":
        assert reached(status_with(network, edge.key, None, policy, key))
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
