"""The vectorised closure (graph/sparse_closure.py) finds the same restricted and indeterminate parties as
the reference engine, in the same rounds and for the same reasons: on random graphs (cycles, ranges with
exclusive ends, unknown shares, control interests, dates, self-holdings) and on the Vadalog 10k graph.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from builders import org, stake
from conftest import shared_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engines_agree import AS_OF, EXAMPLES, POLICIES, graphs

from benchmarks.closure import write_folder
from ownergraph.graph import reference, sparse_closure
from ownergraph.graph.control import COMPANY_CONTROL
from ownergraph.graph.network import from_records
from ownergraph.graph.policy import builtin_policies
from ownergraph.loaders.memory import network as from_paths

AGGREGATE = [p for p in POLICIES if p.method == "aggregate"]


def reference_view(closure) -> dict[str, tuple]:
    """Party -> (status, sure round, possible round, sure reason, possible reason), parties not clear."""
    return {k: (s.status, s.sure_round, s.possible_round, s.sure_reason, s.possible_reason)
            for k, s in closure.standings.items() if s.status != "clear"}


def sparse_view(result, policy, as_of, seeds) -> dict[str, tuple]:
    return reference_view(result.to_closure(policy, as_of, seeds))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(items=graphs(), policy_index=st.integers(0, len(AGGREGATE) - 1))
def test_sparse_closure_agrees_with_the_reference_on_random_graphs(items, policy_index):
    policy = AGGREGATE[policy_index]
    network = from_records(items)
    want = reference.evaluate(network, policy, AS_OF)
    seeds = {k: s.seed for k, s in want.standings.items() if s.seed}
    got = sparse_closure.evaluate(network, policy, AS_OF)
    assert sparse_view(got, policy, AS_OF, seeds) == reference_view(want)


def test_an_integrated_policy_is_refused():
    with pytest.raises(ValueError, match="integrated"):
        sparse_closure.evaluate(from_records([org("A", "CN")]), builtin_policies()["cn-effective"], AS_OF)


def test_many_owners_with_unknown_shares_sum_exactly():
    """300 restricted owners of undisclosed shares (0-100% each): the upper sum is far beyond what one
    64-bit integer holds, and the party is indeterminate, not wrapped round to clear."""
    items = [org("TOP", "CN"), org("T")]
    for i in range(300):
        items += [org(f"O{i}"), stake("TOP", f"O{i}", "100"), stake(f"O{i}", "T")]
    network = from_records(items)
    policy = builtin_policies()["cn-majority"]
    got = sparse_closure.evaluate(network, policy, AS_OF).statuses()
    assert got["t:T"] == "indeterminate"
    assert got == {k: s.status for k, s in reference.evaluate(network, policy, AS_OF).standings.items()
                   if s.status != "clear"}


def test_a_band_just_above_the_threshold_restricts_and_one_ending_at_it_does_not():
    items = [org("CN1", "CN"), org("A"), org("B"), stake("CN1", "A", lo="50", hi="75", lo_open=True),
             stake("CN1", "B", lo="25", hi="50", lo_open=True)]
    got = sparse_closure.evaluate(from_records(items), builtin_policies()["cn-majority"], AS_OF).statuses()
    assert got == {"t:CN1": "restricted", "t:A": "restricted"}


@pytest.fixture(scope="module")
def vadalog_10k(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vadalog") / "company_graph_10k"
    write_folder(shared_data("vadalog", "company_graph_10k.csv"), folder, seed=1, seed_share=0.02, variety=True)
    return from_paths([folder])


def test_sparse_closure_agrees_with_the_reference_on_the_vadalog_10k_graph(vadalog_10k):
    today = date(2026, 11, 28)
    policy = builtin_policies()["cn-majority"]
    want = reference.evaluate(vadalog_10k, policy, today)
    seeds = {k: s.seed for k, s in want.standings.items() if s.seed}
    got = sparse_closure.evaluate(vadalog_10k, policy, today)
    expected = reference_view(want)
    assert sparse_view(got, policy, today, seeds) == expected
    statuses = {v[0] for v in expected.values()}
    assert statuses == {"restricted", "indeterminate"}  # the bands leave some parties undecided
    assert len(expected) > len(seeds)  # restriction travels beyond the seeds


def test_company_control_of_every_party_agrees_with_the_reference(vadalog_10k):
    today = date(2026, 11, 28)
    pairs = sparse_closure.pairs_from_network(vadalog_10k, COMPANY_CONTROL, today)
    controlled = sparse_closure.company_control_all(pairs, COMPANY_CONTROL)
    assert len(controlled) > 1000  # most companies with a subsidiary control it
    graph = reference.as_digraph(vadalog_10k, today)
    sample = random.Random(3).sample(range(pairs.size), 150)
    for x in sample:
        key = pairs.keys[x]
        closure = reference.evaluate(vadalog_10k, COMPANY_CONTROL, today, seeds={key: "candidate"}, graph=graph)
        sure = sorted(pairs.keys.index(k) for k, s in closure.standings.items() if s.sure_round and k != key)
        possible = sorted(pairs.keys.index(k) for k, s in closure.standings.items()
                          if s.possible_round and k != key)
        assert controlled.get(x, ([], [])) == (sure, possible), key
