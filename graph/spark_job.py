"""The Spark batch closure as users run it: `ownergraph export parquet DIR` writes the graph as the job
reads it, and `ownergraph closure --engine spark` computes a policy's closure on Spark (local mode, or
the cluster `--master` names) and writes it back to Neo4j as a materialised closure version, the one
verdict reads then use, as `ownergraph closure` does with the Cypher engine.

The exported folder holds `interests/` (key and graph/spark_closure.py EDGE_COLUMNS), `parties/` (key,
name, kind, country), `seeds/` (policy, key: each policy's seeds on the date) as Parquet, and
`export.json` (the date, the policies, the counts). pyspark comes with the `spark` extra
(`pip install 'ownergraph[spark]'`) and is imported only here.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ownergraph.graph import materialise, writers
from ownergraph.graph.cypher_engine import BOUNDS, seed_params
from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.materialise import MaterialisedClosure
from ownergraph.graph.policy import Policy
from ownergraph.graph.store import Store, native

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

INTEREST_COLUMNS = ("key", "owner", "owned", "type", "lo", "hi", "start", "end", "counted")


class SparkUnavailable(OwnergraphError):
    status = 501


def session(master: str | None = None, cores: int = 2, memory: str = "2g") -> SparkSession:
    """A Spark session: local mode on `cores` cores, or the cluster at `master` (spark://, yarn, k8s://)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailable("the Spark engine needs pyspark: pip install 'ownergraph[spark]'") from None
    from ownergraph.graph import spark_closure

    if master is None or master.startswith("local"):
        spark = spark_closure.local_session(cores=cores, memory=memory)
    else:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.master(master).appName("ownergraph-closure").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def interests_frame(spark: SparkSession, store: Store) -> DataFrame:
    from pyspark.sql import types as T

    from ownergraph.graph.spark_closure import edge_schema

    schema = T.StructType([T.StructField("key", T.StringType(), False), *edge_schema().fields])
    rows = [(r["key"], r["owner"], r["owned"], r["type"], int(r["lo"]), int(r["hi"]), native(r["start"]),
             native(r["end"]), bool(r["counted"])) for r in store.stream("export/interests")]
    return spark.createDataFrame(rows, schema)


def seed_keys(store: Store, policy: Policy, as_of: date) -> list[str]:
    return [r["key"] for r in store.run("closure/seeds_all", as_of=as_of, **seed_params(policy))]


def export(store: Store, folder: Path, policies: list[Policy], as_of: date, spark: SparkSession) -> dict[str, Any]:
    """Write the graph as Parquet for the batch closure (see the module's text); returns export.json."""
    from pyspark.sql import types as T

    text = T.StringType()
    folder.mkdir(parents=True, exist_ok=True)
    interests = interests_frame(spark, store)
    interests.write.mode("overwrite").parquet(str(folder / "interests"))
    parties = [(r["key"], r["name"], r["kind"], r["country"]) for r in store.stream("export/parties")]
    party_schema = T.StructType([T.StructField("key", text, False), T.StructField("name", text, True),
                                 T.StructField("kind", text, True), T.StructField("country", text, True)])
    spark.createDataFrame(parties, party_schema).write.mode("overwrite").parquet(str(folder / "parties"))
    seeds = [(p.name, k) for p in policies for k in seed_keys(store, p, as_of)]
    seed_schema = T.StructType([T.StructField("policy", text, False), T.StructField("key", text, False)])
    spark.createDataFrame(seeds, seed_schema).write.mode("overwrite").parquet(str(folder / "seeds"))
    summary = {"as_of": as_of.isoformat(), "policies": [p.name for p in policies], "parties": len(parties),
               "interests": interests.count(), "seeds": {p.name: sum(1 for s in seeds if s[0] == p.name)
                                                        for p in policies}}
    (folder / "export.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def run(store: Store, policy: Policy, as_of: date, spark: SparkSession) -> MaterialisedClosure:
    """The policy's closure computed by Spark from the graph in `store`, written back as its current
    materialised closure version."""
    from ownergraph.graph import spark_closure

    if policy.method != "aggregate":
        raise ValueError(f"policy {policy.name} uses the {policy.method} method; it is evaluated on demand")
    edges = interests_frame(spark, store)
    seeds = spark_closure.seeds_frame(spark, seed_keys(store, policy, as_of))
    rows = [r.asDict() for r in spark_closure.standings(edges, seeds, policy, as_of).collect()]
    return publish(store, policy, as_of, rows)


def publish(store: Store, policy: Policy, as_of: date, rows: list[dict]) -> MaterialisedClosure:
    """Write standings (spark_closure.standings rows) as a new closure version of the policy, and switch
    readers to it as graph/materialise.py does."""
    state = store.run("closure/version_get", policy=policy.name)[0]
    previous = state["version"] or (state["withdrawn"] if state["updating"] is None else None)
    latest = state["version"] or state["withdrawn"] or state["updating"]
    version = f"{policy.name}@{policy.hash()}@{as_of.isoformat()}@{materialise._counter(latest)}"
    materialise.drop(store, version)
    rounds = 0
    for bound in BOUNDS:
        entered = [r for r in rows if r[f"{bound}_round"] is not None]
        rounds = max([rounds, *(r[f"{bound}_round"] for r in entered)])
        materialise.write_marks(store, version, f"{version}#{bound}", [{"key": r["key"], "fields": {
            **({"seed": True} if r[f"{bound}_reason"] == "seed" else {}), f"{bound}_round": r[f"{bound}_round"],
            f"{bound}_reason": r[f"{bound}_reason"], f"{bound}_witness": list(r[f"{bound}_witness"])}}
            for r in entered])
    restricted = sum(1 for r in rows if r["status"] == "restricted")
    indeterminate = len(rows) - restricted
    shown = store.run("closure/version_set", policy=policy.name, version=version, policy_hash=policy.hash(),
                      definition=policy.definition_json(),
                      as_of=as_of, restricted=restricted, indeterminate=indeterminate, rounds=rounds, token=None,
                      dead=writers.dead(store))[0]["shown"]
    if previous and previous != version:
        materialise.drop(store, previous)
    return MaterialisedClosure(policy.name, version, as_of, restricted, indeterminate, rounds, shown)
