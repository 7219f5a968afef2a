"""Dated list memberships judged on every path: the memory engine on the files, Neo4j on demand, and the
materialised closure built for the date asked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ownergraph.graph import evaluate, materialise
from ownergraph.graph.policy import load_policy
from ownergraph.loaders import memory
from ownergraph.loaders.run import load

TODAY = date(2026, 12, 2)

# (membership of the listed party L, date asked, L's verdict, the verdict on S, 60% held by L)
CASES = [
    ("2018-01-01", "2022-01-01", date(2020, 6, 1), "restricted", "restricted"),
    ("2018-01-01", "2022-01-01", date(2024, 1, 1), "clear", "clear"),
    ("2018-01-01", "2022-01-01", date(2017, 12, 31), "clear", "clear"),
    ("2027-06-01", None, TODAY, "clear", "clear"),
    ("2027-06-01", None, date(2027, 6, 1), "restricted", "restricted"),
    (None, "2027-06-01", date(2028, 1, 1), "clear", "clear"),
    (None, "2027-06-01", TODAY, "restricted", "restricted"),
]
POLICIES = ("ofac-50", "bis-affiliates")


def verdicts(store, path: Path, tmp_path: Path, party: str, as_of: date) -> dict[str, str]:
    """"engine policy" -> verdict on the party, for every engine and both list policies."""
    out = {}
    network = memory.network([path])
    for name in POLICIES:
        out[f"memory {name}"] = evaluate.verdict_in_network(network, party, name, as_of).verdict
    store.clear()
    summary = load(store, [path], rejects=tmp_path / "rejects.csv", show_progress=False)
    assert summary.rejected_total == 0, summary.rejected
    for name in POLICIES:
        out[f"cypher {name}"] = evaluate.verdict(store, party, name, as_of).verdict
        materialise.materialise(store, load_policy(name), as_of)
        assert materialise.current(store, load_policy(name)) is not None
        out[f"closure {name}"] = evaluate.verdict(store, party, name, as_of).verdict
    return out


def expect(verdict: str) -> dict[str, str]:
    return {f"{engine} {name}": verdict for engine in ("memory", "cypher", "closure") for name in POLICIES}
