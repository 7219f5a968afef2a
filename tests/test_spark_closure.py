"""The Spark batch closure (graph/spark_closure.py, Spark local mode) finds the same restricted and
indeterminate parties as the reference engine, in the same rounds and for the same reasons, on the
Vadalog 100k graph (restated in part as bands, ranges, board appointments and ended stakes) and on a
small graph with a cycle, a self-holding and an exclusive band at the threshold.
"""

from __future__ import annotations

from datetime import date

import pytest
from builders import org, person, stake
from conftest import shared_data

from benchmarks.closure import write_folder
from ownergraph.graph import reference, spark_closure
from ownergraph.graph.network import from_records
from ownergraph.graph.policy import builtin_policies
from ownergraph.loaders.memory import network as from_paths

pytestmark = pytest.mark.spark  # Spark local mode takes a JVM and tens of seconds

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def spark():
    session = spark_closure.local_session(cores=2, memory="2g", app="ownergraph-tests")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def expected(network, policy) -> dict[str, tuple]:
    closure = reference.evaluate(network, policy, TODAY)
    return {k: (s.status, s.sure_round, s.sure_reason, s.possible_round, s.possible_reason)
            for k, s in closure.standings.items() if s.status != "clear"}, closure


def computed(spark, network, policy, seeds) -> dict[str, tuple]:
    edges = spark_closure.edges_frame(spark, network.edges.values())
    rows = spark_closure.closure(edges, spark_closure.seeds_frame(spark, seeds), policy, TODAY).collect()
    return {r["key"]: (r["status"], r["sure_round"], r["sure_reason"], r["possible_round"], r["possible_reason"])
            for r in rows}


def test_spark_closure_agrees_with_the_reference_on_a_small_graph_with_a_cycle(spark):
    items = [org("CN1", "CN"), org("A"), org("B"), org("C"), org("D"), person("P", "CN"),
             stake("CN1", "A", "60"), stake("A", "B", "30"), stake("B", "A", "10"), stake("CN1", "B", "25"),
             stake("B", "B", "40"),  # treasury shares: ignored
             stake("A", "C", lo="50", hi="75", lo_open=True),  # (50, 75]: more than 50 for sure
             stake("B", "D", lo="25", hi="50", lo_open=True),  # (25, 50]: cannot exceed 50
             stake("C", "D", lo="0", hi="10"),  # with it, D may exceed 50
             stake("P", "D", interest="appointment-of-board", end=date(2020, 1, 1))]  # ended: not counted
    network = from_records(items)
    policy = builtin_policies()["cn-majority"]
    want, closure = expected(network, policy)
    seeds = [k for k, s in closure.standings.items() if s.seed]
    got = computed(spark, network, policy, seeds)
    assert got == want
    assert {k: v[0] for k, v in got.items()} == {"t:CN1": "restricted", "t:A": "restricted", "t:B": "restricted",
                                                 "t:C": "restricted", "t:D": "indeterminate"}


def test_spark_closure_agrees_with_the_reference_on_the_vadalog_100k_graph(spark, tmp_path):
    folder = tmp_path / "company_graph_100k"
    write_folder(shared_data("vadalog", "company_graph_100k.csv"), folder, seed=1, seed_share=0.02, variety=True)
    network = from_paths([folder])
    policy = builtin_policies()["cn-majority"]
    want, closure = expected(network, policy)
    seeds = [k for k, s in closure.standings.items() if s.seed]
    got = computed(spark, network, policy, seeds)
    assert got == want
    statuses = [v[0] for v in got.values()]
    assert statuses.count("indeterminate") > 0
    assert statuses.count("restricted") > len(seeds)


def test_an_integrated_policy_is_refused(spark):
    edges = spark_closure.edges_frame(spark, [])
    with pytest.raises(ValueError, match="integrated"):
        spark_closure.closure(edges, spark_closure.seeds_frame(spark, []), builtin_policies()["cn-effective"], TODAY)
