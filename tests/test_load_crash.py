"""A load killed mid-way and run again leaves the same graph as one clean load (SPEC.md §7)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ownergraph.loaders.run import load

ROOT = Path(__file__).resolve().parents[1]
PARTIES = 6_000  # about 12,000 interests; in batches of 250 both phases take many transactions
BATCH = 250
LOAD = """
import sys
from pathlib import Path
from ownergraph.graph.store import connect
from ownergraph.loaders.run import load
from ownergraph.settings import Settings
load(connect(Settings()), [Path(sys.argv[1])], rejects=Path(sys.argv[2]), batch_size=int(sys.argv[3]),
     show_progress=False)
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("crash") / "graph"
    subprocess.run([sys.executable, "-m", "benchmarks.synthetic", "--parties", str(PARTIES), "--out", str(out),
                    "--seed", "3"], cwd=ROOT, check=True, capture_output=True)
    return out


def start_load(folder: Path, rejects: Path, neo4j_server) -> subprocess.Popen:
    uri, user, secret = neo4j_server
    env = dict(os.environ, NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=secret or "")
    return subprocess.Popen([sys.executable, "-c", LOAD, str(folder), str(rejects), str(BATCH)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def kill_when(process: subprocess.Popen, store, landed, timeout: float = 600) -> dict:
    """SIGKILL the loading process as soon as `landed(counts)` holds; return the counts seen after it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")
            pytest.fail(f"the load ended (code {process.returncode}) before it could be killed:\n{output[-2000:]}")
        if landed(store.counts()):
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
            return store.counts()
        time.sleep(0.05)
    process.kill()
    pytest.fail("the load did not get going in time")


def snapshot(store) -> dict:
    """Everything a user can see of the graph: parties, identifiers, interests and their provenance."""
    def rows(text: str) -> list[tuple]:
        return [tuple(r.values()) for r in store.driver.execute_query(text).records]

    return {
        "counts": store.counts(),
        "parties": rows("MATCH (p:Party) RETURN p.key, p.name, p.kind, p.jurisdiction, p.headquarters, "
                        "p.country, p.nationalities, p.lists, p.sources ORDER BY p.key"),
        "identifiers": rows("MATCH (i:Identifier)-[:IDENTIFIES]->(p:Party) RETURN i.id, p.key ORDER BY i.id"),
        "interests": rows("MATCH (o:Party)-[s:INTEREST]->(y:Party) RETURN o.key, y.key, s.type, s.key, s.lo, s.hi, "
                          "s.share_min, s.share_max, s.min_open, s.max_open, s.start, s.end, s.counted, "
                          "s.sources, s.records ORDER BY s.key"),
        "provenance": rows("MATCH (v:Provenance) RETURN v.key, v.stake, v.lo, v.hi, v.start, v.end ORDER BY v.key"),
        "listings": rows("MATCH (p:Party)-[:LISTED]->(l:List) RETURN p.key, l.name ORDER BY p.key, l.name"),
    }


def differences(got: dict, want: dict) -> list[str]:
    out = []
    for part in want:
        if got[part] != want[part]:
            if isinstance(want[part], dict):
                out.append(f"{part}: {got[part]} instead of {want[part]}")
                continue
            extra = sorted(set(got[part]) - set(want[part]))[:3]
            missing = sorted(set(want[part]) - set(got[part]))[:3]
            out.append(f"{part}: {len(got[part])} rows instead of {len(want[part])}; "
                       f"unexpected {extra}, missing {missing}")
    return out


def test_a_load_killed_twice_and_run_again_equals_one_clean_load(store, folder, neo4j_server, tmp_path):
    store.clear()
    clean = load(store, [folder], rejects=tmp_path / "clean-rejects.csv", batch_size=BATCH, show_progress=False)
    assert clean.rejected_total == 0
    want = snapshot(store)
    total = want["counts"]

    store.clear()
    # killed while writing parties: some party batches landed, no interest yet
    first = start_load(folder, tmp_path / "r1.csv", neo4j_server)
    seen = kill_when(first, store, lambda c: c["parties"] > 0)
    assert 0 < seen["parties"] < total["parties"] and seen["interests"] == 0
    # killed while writing interests: all parties are back, some interest batches landed
    second = start_load(folder, tmp_path / "r2.csv", neo4j_server)
    seen = kill_when(second, store, lambda c: c["interests"] > 0)
    assert seen["parties"] == total["parties"] and 0 < seen["interests"] < total["interests"]
    # nothing half written: every interest that landed came with its provenance record
    assert seen["provenance"] == seen["interests"]

    resumed = load(store, [folder], rejects=tmp_path / "r3.csv", batch_size=BATCH, show_progress=False)
    assert resumed.rejected_total == 0
    assert resumed.interests_new + resumed.interests_updated == clean.interests_new
    assert resumed.interests_updated == seen["interests"]
    assert differences(snapshot(store), want) == []
