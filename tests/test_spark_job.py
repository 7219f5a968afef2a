"""`ownergraph closure --engine spark` and `ownergraph export parquet` against a real Neo4j, Spark in local
mode: the closure Spark computes, written back, is the one the Cypher engine materialises (the same
parties, rounds, reasons and witnesses, the same verdicts read from it), and the export holds the graph."""

from __future__ import annotations

import json
import sys
from datetime import date

import pytest
from builders import Unclosed, load_into, org, person, stake
from typer.testing import CliRunner

from ownergraph import cli
from ownergraph.graph import materialise, spark_job
from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.policy import builtin_policies

TODAY = date.today()
ITEMS = [org("CN1", "CN"), org("A"), org("B"), org("C"), org("D"), org("E"), person("P", "CN"),
         stake("CN1", "A", "60"), stake("A", "B", "30"), stake("B", "A", "10"), stake("CN1", "B", "25"),
         stake("B", "B", "40"),  # treasury shares: ignored
         stake("A", "C", lo="50", hi="75", lo_open=True),  # (50, 75]: more than 50 for sure
         stake("B", "D", lo="25", hi="50", lo_open=True),  # (25, 50]: cannot exceed 50
         stake("C", "D", lo="0", hi="10"),  # with it, D may exceed 50
         stake("P", "E", interest="appointment-of-board"),  # P is no seed of cn-majority: E stays clear
         stake("P", "D", interest="appointment-of-board", end=date(2020, 1, 1))]  # ended: not counted
KEYS = sorted({f"t:{k}" for k in ("CN1", "A", "B", "C", "D", "E", "P")})


def standings(store, policy) -> tuple[dict, dict]:
    """(Verdict nodes, verdicts as JSON without their timing) of the policy's current closure version."""
    info = materialise.current(store, policy)
    assert info is not None, "no current closure version"
    rows = {r["key"]: {**r, "sure_witness": sorted(r["sure_witness"]), "possible_witness": sorted(r["possible_witness"])}
            for r in store.run("read/verdicts_by_party", keys=KEYS, version=info["version"])}
    verdicts = {}
    for key in KEYS:
        verdicts[key] = materialise.read_verdict(store, key, policy, info).model_dump(mode="json")
    return rows, verdicts


@pytest.fixture
def loaded(store, tmp_path, monkeypatch):
    load_into(store, ITEMS, tmp_path)
    monkeypatch.setattr(cli, "_store", lambda: Unclosed(store))
    return store


@pytest.mark.spark
def test_the_spark_closure_written_back_reads_as_the_cypher_closure(loaded):
    policy = builtin_policies()["cn-majority"]
    materialise.materialise(loaded, policy, TODAY)
    want_rows, want_verdicts = standings(loaded, policy)
    assert {k for k, r in want_rows.items()} == {"t:CN1", "t:A", "t:B", "t:C", "t:D"}

    ran = CliRunner().invoke(cli.app, ["closure", "--engine", "spark", "--policy", "cn-majority"])
    assert ran.exit_code == 0, ran.output
    assert "cn-majority: 4 restricted, 1 indeterminate" in ran.output
    got_rows, got_verdicts = standings(loaded, policy)
    assert materialise.current(loaded, policy)["version"].endswith("@2")  # a new version, the old one gone
    assert got_rows == want_rows
    assert got_verdicts == want_verdicts
    assert got_verdicts["t:D"]["verdict"] == "indeterminate" and got_verdicts["t:E"]["verdict"] == "clear"


@pytest.mark.spark
def test_export_parquet_writes_the_graph_as_the_batch_closure_reads_it(loaded, tmp_path):
    from pyspark.sql import SparkSession

    folder = tmp_path / "export"
    ran = CliRunner().invoke(cli.app, ["export", "parquet", str(folder), "--policy", "cn-majority"])
    assert ran.exit_code == 0, ran.output
    summary = json.loads((folder / "export.json").read_text())
    assert summary["parties"] == 7 and summary["interests"] == 10 and summary["seeds"] == {"cn-majority": 1}
    spark = spark_job.session()
    try:
        interests = spark.read.parquet(str(folder / "interests"))
        assert set(interests.columns) == set(spark_job.INTEREST_COLUMNS)
        assert interests.where("owner = 't:A' AND owned = 't:C'").first()["lo"] > 0
        seeds = {r["key"] for r in spark.read.parquet(str(folder / "seeds")).collect()}
        assert seeds == {"t:CN1"}
        assert spark.read.parquet(str(folder / "parties")).count() == 7
    finally:
        SparkSession.builder.getOrCreate().stop()


def test_without_pyspark_the_spark_engine_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark raises ImportError
    with pytest.raises(OwnergraphError, match=r"pip install 'ownergraph\[spark\]'"):
        spark_job.session()


def test_an_unknown_engine_is_refused():
    ran = CliRunner().invoke(cli.app, ["closure", "--engine", "hadoop"])
    assert ran.exit_code == 2 and "unknown engine 'hadoop'" in ran.output
