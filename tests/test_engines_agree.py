"""The Cypher engine (on demand and materialised) and the reference engine agree on random graphs.

Random ownership graphs with cycles, self-holdings, ranges with exclusive ends, unknown shares, control
interests, dates around the as-of date, several seeds and the same stake from two sources.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from builders import load_into, org, person, stake
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergraph.graph import cypher_engine, explain, materialise, reference, writes
from ownergraph.graph.network import from_records
from ownergraph.graph.policy import builtin_policies, parse_policy
from ownergraph.loaders.sink import RejectsFile, Sink

AS_OF = date(2024, 6, 30)
EXAMPLES = int(os.environ.get("OWNERGRAPH_PROPERTY_EXAMPLES", "1000"))
SHARES = ["0", "10", "16.7", "25", "33.3", "49.99", "50", "50.01", "60", "75", "100", "12.345678", "0.0000001"]
POLICIES = [
    builtin_policies()["cn-majority"],
    builtin_policies()["ofac-50"],
    builtin_policies()["cn-effective"],
    parse_policy({"name": "cn-at-least", "extends": "cn-majority", "inclusive": True,
                  "restricted": {"headquarters": ["CN"], "nationalities": ["CN"], "lists": ["ofac-sdn"]}}),
]


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 8))
    items = []
    for i in range(n):
        lists = ("ofac-sdn",) if draw(st.integers(0, 5)) == 0 else ()
        if draw(st.integers(0, 4)) == 0:
            items.append(person(f"P{i}", draw(st.sampled_from(["CN", "GB", None])), lists))
        else:
            items.append(org(f"P{i}", draw(st.sampled_from(["CN", "GB", "US", None])), lists))
    for _ in range(draw(st.integers(0, 14))):
        owner, owned = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        interest = draw(st.sampled_from(["shareholding"] * 5 + ["voting-rights", "appointment-of-board", "consolidation"]))
        form = draw(st.integers(0, 3))
        start = end = None
        if draw(st.integers(0, 3)) == 0:
            start = AS_OF + timedelta(days=draw(st.integers(-3, 3)))
        if draw(st.integers(0, 3)) == 0:
            end = (start or AS_OF) + timedelta(days=draw(st.integers(1, 4)))
        kwargs = dict(interest=interest, start=start, end=end, record=f"r{len(items)}",
                      source=draw(st.sampled_from(["registry", "filing"])))
        if form == 0:
            items.append(stake(f"P{owner}", f"P{owned}", **kwargs))
        elif form == 1:
            lo, hi = sorted([Decimal(draw(st.sampled_from(SHARES))), Decimal(draw(st.sampled_from(SHARES)))])
            lo_open, hi_open = draw(st.booleans()), draw(st.booleans())
            if lo == hi:
                lo_open = hi_open = False
            items.append(stake(f"P{owner}", f"P{owned}", lo=str(lo), hi=str(hi), lo_open=lo_open, hi_open=hi_open,
                               **kwargs))
        else:
            items.append(stake(f"P{owner}", f"P{owned}", draw(st.sampled_from(SHARES)), **kwargs))
    return items


def describe(items) -> str:
    """The graph in one line per record, for a failure message."""
    lines = []
    for item in items:
        if hasattr(item, "owner"):
            sh = item.share
            lines.append(f"{item.owner}->{item.owned} {item.interest} {'(' if sh.lo_open else '['}{sh.lo},{sh.hi}"
                         f"{')' if sh.hi_open else ']'} {item.start}..{item.end} {item.provenance.source}/{item.provenance.record}")
        else:
            lines.append(f"{item.identifiers[0]} {item.kind} hq={item.headquarters} nat={item.nationalities} lists={item.lists}")
    return "\n".join(lines)


def comparable(verdict):
    share = verdict.restricted_share
    return verdict.verdict, verdict.reason, (share.min, share.max, share.min_exclusive, share.max_exclusive)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(items=graphs(), policy_index=st.integers(0, len(POLICIES) - 1))
def test_cypher_engine_agrees_with_the_reference(store, tmp_path, items, policy_index):
    policy = POLICIES[policy_index]
    network = from_records(items)
    expected = reference.evaluate(network, policy, AS_OF)
    load_into(store, items, tmp_path)
    if policy.method == "aggregate":
        materialise.materialise(store, policy, AS_OF)
        info = materialise.current(store, policy)
    for key in network.parties:
        want = explain.build(network, expected, key, engine="memory")
        cone, closure = cypher_engine.evaluate_party(store, key, policy, AS_OF)
        got = explain.build(cone, closure, key, engine="cypher")
        if policy.method == "integrated":
            assert got.verdict == want.verdict, (key, describe(items))
            assert got.restricted_share.min == pytest.approx(want.restricted_share.min, abs=1e-9)
            assert got.restricted_share.max == pytest.approx(want.restricted_share.max, abs=1e-9)
            continue
        assert comparable(got) == comparable(want), (key, describe(items))
        # the proof found is the same size from the same rounds
        assert closure.standings[key].sure_round == expected.standings[key].sure_round
        assert closure.standings[key].possible_round == expected.standings[key].possible_round
        stored = materialise.read_verdict(store, key, policy, info)
        assert comparable(stored) == comparable(want), (key, describe(items))
        assert len(stored.paths) == len(got.paths)


@st.composite
def two_loads(draw):
    """A graph, then a second load over the same parties: stakes restated with other shares or dates,
    new stakes, parties that move country or join or leave a list."""
    first = draw(graphs())
    parties = [i for i in first if not hasattr(i, "owner")]
    stakes = [i for i in first if hasattr(i, "owner")]
    n = len(parties)
    second = []
    for party in parties:
        if draw(st.integers(0, 3)) == 0:
            country = draw(st.sampled_from(["CN", "GB", None]))
            lists = ("ofac-sdn",) if draw(st.booleans()) else ()
            pid = party.identifiers[0].partition(":")[2]
            second.append(person(pid, country, lists) if party.kind == "person" else org(pid, country, lists))
    for old in stakes:
        if draw(st.integers(0, 2)) == 0:  # the same stake (owner, owned, type, start) with another share
            end = draw(st.sampled_from([old.end, None, AS_OF - timedelta(days=1)]))
            if old.start is not None and end is not None and end <= old.start:
                end = None
            second.append(stake(old.owner.partition(":")[2], old.owned.partition(":")[2],
                                draw(st.sampled_from(SHARES)), interest=old.interest, start=old.start,
                                end=end,
                                record=f"again-{old.provenance.record}", source=old.provenance.source,
                                stated=AS_OF))
    for _ in range(draw(st.integers(0, 4))):
        owner, owned = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        second.append(stake(f"P{owner}", f"P{owned}", draw(st.sampled_from(SHARES)), record=f"new{len(second)}",
                            source="later"))
    return first, second


@settings(max_examples=max(1, EXAMPLES // 4), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(loads=two_loads(), policy_index=st.sampled_from([i for i, p in enumerate(POLICIES) if p.method == "aggregate"]))
def test_a_verdict_read_after_a_second_load_equals_one_from_scratch(store, tmp_path, loads, policy_index):
    """The closure materialised after the first load, then a second load: the verdicts read (from the
    closure the load recomputed) are the ones the on-demand engine and the reference compute afresh."""
    first, second = loads
    policy = POLICIES[policy_index]
    load_into(store, first, tmp_path)
    materialise.materialise(store, policy, AS_OF)
    write = writes.begin(store)  # what loaders.run.load does around its sink
    sink = Sink(store, RejectsFile(tmp_path / "rejects-2.csv"), batch_size=500)
    for item in second:
        sink.add(item)
    assert sink.finish().rejected_total == 0
    writes.finish(store, write, sink.touched)
    info = materialise.current(store, policy)
    assert info is not None, "the load gave the closure back"
    network = from_records(first + second)
    expected = reference.evaluate(network, policy, AS_OF)
    story = describe(first) + "\n-- second load --\n" + describe(second)
    for key in network.parties:
        cone, closure = cypher_engine.evaluate_party(store, key, policy, AS_OF)
        fresh = explain.build(cone, closure, key, engine="cypher")
        stored = materialise.read_verdict(store, key, policy, info)
        assert comparable(stored) == comparable(fresh), (key, story)
        assert comparable(fresh) == comparable(explain.build(network, expected, key, engine="memory")), (key, story)
