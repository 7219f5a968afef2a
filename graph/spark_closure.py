"""The aggregate closure of SPEC.md §3 as a batch job on Apache Spark, for graphs that outgrow one Neo4j.

Same semantics as graph/reference.py (tests hold it to the reference on the Vadalog 100k graph), written
with PySpark DataFrames and iterated joins, so it runs unchanged on a laptop (local mode) or a cluster:

1. `pairs`: the interests in force on the as-of date (counted, not a holding in itself,
   start <= as_of < end) of the measured and control types, grouped per (owner, owned): the largest
   measured lower and upper ends (integer-encoded, graph/share.py) and whether any interest is a control
   type the policy counts.
2. Per bound (lower ends: restricted for sure; upper ends: possibly restricted), semi-naive rounds: the
   out-pairs of the parties that entered in the last round are joined, their shares summed per held party
   into a running total (decimal(38,0): exact, no overflow), and the held parties not yet in R that meet
   the threshold, or are held through a control interest, enter with the round number. Each round's
   state is checkpointed, so the plan does not grow with the number of rounds.

Input: an edges DataFrame with the columns of `EDGE_SCHEMA` (one row per stake, as the INTEREST
relationships hold them; an export of Neo4j or the loaders' output in Parquet) and a DataFrame of seed
keys. Output: one row per party not clear, with its status and the rounds and reasons of both bounds.
pyspark is imported lazily: the rest of ownergraph does not need it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ownergraph.graph.policy import Policy
from ownergraph.graph.share import encode_threshold

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

EDGE_COLUMNS = ("owner", "owned", "type", "lo", "hi", "start", "end", "counted")


def edge_schema():
    from pyspark.sql import types as T

    return T.StructType([
        T.StructField("owner", T.StringType(), False), T.StructField("owned", T.StringType(), False),
        T.StructField("type", T.StringType(), False), T.StructField("lo", T.LongType(), False),
        T.StructField("hi", T.LongType(), False), T.StructField("start", T.DateType(), True),
        T.StructField("end", T.DateType(), True), T.StructField("counted", T.BooleanType(), False),
    ])


def local_session(cores: int = 2, memory: str = "2g", app: str = "ownergraph-closure") -> SparkSession:
    """A Spark session in local mode (no UI, few shuffle partitions: the data fits one machine)."""
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master(f"local[{cores}]").appName(app)
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
            .config("spark.driver.memory", memory)
            .config("spark.sql.adaptive.enabled", "true")
            .getOrCreate())


def edges_frame(spark: SparkSession, edges: Iterable) -> DataFrame:
    """A DataFrame of Edge objects (graph/semantics.py), e.g. an in-memory network's."""
    rows = [(e.owner, e.owned, e.type, int(e.lo), int(e.hi), e.start, e.end, bool(e.counted)) for e in edges]
    return spark.createDataFrame(rows, edge_schema())


def seeds_frame(spark: SparkSession, keys: Iterable[str]) -> DataFrame:
    from pyspark.sql import types as T

    return spark.createDataFrame([(k,) for k in keys], T.StructType([T.StructField("key", T.StringType(), False)]))


def pairs(edges: DataFrame, policy: Policy, as_of: date) -> DataFrame:
    """(owner, owned, lo, hi, measured, control) per pair, from the interests in force on the date."""
    from pyspark.sql import functions as F

    day = F.lit(as_of)
    measured = F.col("type").isin(list(policy.measured))
    control = F.col("type").isin(list(policy.control))
    in_force = (F.col("counted") & (F.col("owner") != F.col("owned"))
                & (F.col("start").isNull() | (F.col("start") <= day))
                & (F.col("end").isNull() | (day < F.col("end"))))
    return (edges.where(in_force & (measured | control))
            .groupBy("owner", "owned")
            .agg(F.max(F.when(measured, F.col("lo"))).alias("lo"),
                 F.max(F.when(measured, F.col("hi"))).alias("hi"),
                 F.max(measured.cast("int")).alias("measured"),
                 F.max(control.cast("int")).alias("control")))


def _bound(spark: SparkSession, pair_df: DataFrame, seeds: DataFrame, value: str, policy: Policy,
           max_rounds: int) -> DataFrame:
    """(key, round, reason) of the parties in R under one bound ('lo' or 'hi')."""
    from pyspark.sql import functions as F

    big = "decimal(38,0)"
    threshold = F.lit(Decimal(encode_threshold(policy.threshold))).cast(big)
    contributions = pair_df.select(
        "owner", "owned",
        F.when(F.col("measured") == 1, F.col(value).cast(big)).otherwise(F.lit(0).cast(big)).alias("value"),
        F.col("measured").cast("long").alias("measured"), F.col("control"))
    members = seeds.select("key", F.lit(0).alias("round"), F.lit("seed").alias("reason")).localCheckpoint()
    frontier = members.select("key")
    totals = None
    for round_ in range(1, max_rounds + 1):
        step = (contributions.join(frontier, contributions.owner == frontier.key)
                .groupBy("owned")
                .agg(F.sum("value").alias("total"), F.sum("measured").alias("holders"),
                     F.max("control").alias("control")))
        merged = step if totals is None else totals.unionByName(step)
        totals = (merged.groupBy("owned")
                  .agg(F.sum("total").cast(big).alias("total"), F.sum("holders").alias("holders"),
                       F.max("control").alias("control"))
                  .localCheckpoint())
        meets = (F.col("total") >= threshold) if policy.inclusive else (F.col("total") > threshold)
        entered = (step.select("owned").join(members, step.owned == members.key, "left_anti")
                   .join(totals, "owned")
                   .where((F.col("control") > 0) | ((F.col("holders") > 0) & meets))
                   .select(F.col("owned").alias("key"), F.lit(round_).alias("round"),
                           F.when(F.col("control") > 0, "control").otherwise("ownership").alias("reason"))
                   .localCheckpoint())
        if entered.isEmpty():
            break
        members = members.unionByName(entered).localCheckpoint()
        frontier = entered.select("key")
    else:
        raise RuntimeError(f"the closure did not settle in {max_rounds} rounds")
    return members


def closure(edges: DataFrame, seeds: DataFrame, policy: Policy, as_of: date, max_rounds: int = 10_000) -> DataFrame:
    """(key, status, sure_round, sure_reason, possible_round, possible_reason) for every party not clear."""
    from pyspark.sql import functions as F

    if policy.method != "aggregate":
        raise ValueError(f"policy {policy.name} uses the {policy.method} method, not aggregate")
    spark = edges.sparkSession
    pair_df = pairs(edges, policy, as_of).localCheckpoint()
    sure = _bound(spark, pair_df, seeds, "lo", policy, max_rounds).select(
        "key", F.col("round").alias("sure_round"), F.col("reason").alias("sure_reason"))
    possible = _bound(spark, pair_df, seeds, "hi", policy, max_rounds).select(
        "key", F.col("round").alias("possible_round"), F.col("reason").alias("possible_reason"))
    return (possible.join(sure, "key", "left")
            .withColumn("status", F.when(F.col("sure_round").isNotNull(), "restricted").otherwise("indeterminate"))
            .select("key", "status", "sure_round", "sure_reason", "possible_round", "possible_reason"))


def witnesses(edges: DataFrame, members: DataFrame, policy: Policy, as_of: date, value: str) -> DataFrame:
    """(key, witness) of the parties that entered under one bound (members: key, round, reason): the
    interests that carried each in, as a materialised closure keeps them. Ownership: each member owner's
    largest measured interest (by `value`) from the rounds before; control: one control interest of such
    an owner. `edges` needs the interests' `key` column (`ownergraph export parquet` writes it)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    day = F.lit(as_of)
    in_force = (F.col("counted") & (F.col("owner") != F.col("owned"))
                & (F.col("start").isNull() | (F.col("start") <= day))
                & (F.col("end").isNull() | (day < F.col("end"))))
    measured, control = F.col("type").isin(list(policy.measured)), F.col("type").isin(list(policy.control))
    entered = members.where(F.col("round") > 0).select(F.col("key").alias("owned"), "round", "reason")
    holders = members.select(F.col("key").alias("owner"), F.col("round").alias("owner_round"))
    held = (edges.where(in_force & (measured | control)).join(entered, "owned").join(holders, "owner")
            .where(F.col("owner_round") < F.col("round")))
    by_control = (held.where((F.col("reason") == "control") & control)
                  .groupBy("owned").agg(F.array(F.min("key")).alias("witness")))
    best = Window.partitionBy("owned", "owner").orderBy(F.col(value).desc(), F.col("key"))
    by_ownership = (held.where((F.col("reason") == "ownership") & measured)
                    .withColumn("rank", F.row_number().over(best)).where(F.col("rank") == 1)
                    .groupBy("owned").agg(F.sort_array(F.collect_list("key")).alias("witness")))
    return by_control.unionByName(by_ownership).withColumnRenamed("owned", "key")


def standings(edges: DataFrame, seeds: DataFrame, policy: Policy, as_of: date,
              max_rounds: int = 10_000) -> DataFrame:
    """`closure` with the witnesses of both bounds (sure_witness, possible_witness; empty for seeds), as
    a materialised closure's Verdict nodes hold them."""
    from pyspark.sql import functions as F

    if policy.method != "aggregate":
        raise ValueError(f"policy {policy.name} uses the {policy.method} method, not aggregate")
    spark = edges.sparkSession
    pair_df = pairs(edges, policy, as_of).localCheckpoint()
    out = None
    for bound, value in (("possible", "hi"), ("sure", "lo")):
        members = _bound(spark, pair_df, seeds, value, policy, max_rounds)
        found = witnesses(edges, members, policy, as_of, value).withColumnRenamed("witness", f"{bound}_witness")
        frame = (members.join(found, "key", "left")
                 .select("key", F.col("round").alias(f"{bound}_round"), F.col("reason").alias(f"{bound}_reason"),
                         F.coalesce(F.col(f"{bound}_witness"), F.array().cast("array<string>"))
                         .alias(f"{bound}_witness")))
        out = frame if out is None else out.join(frame, "key", "left")
    assert out is not None
    return out.withColumn("status", F.when(F.col("sure_round").isNotNull(), "restricted")
                          .otherwise("indeterminate"))
