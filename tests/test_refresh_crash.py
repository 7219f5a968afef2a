"""A refresh killed with SIGKILL and run again ends where one clean run ends: the same parties, interests,
provenance, listings, remembered source records, closures and verdict changes. While it lies dead, the
previous data stays queryable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from ownergraph.graph import changes as change_log
from ownergraph.graph.evaluate import verdict
from ownergraph.graph.incremental import all_standings
from ownergraph.loaders.refresh import history, refresh
from ownergraph.loaders.sources import RefreshSettings

ROOT = Path(__file__).resolve().parents[1]
D1, D2 = date(2025, 3, 31), date(2025, 4, 30)
POLICIES = ("cn-majority", "ofac-50")


def write_snapshot(folder: Path, day: date, parties: dict[str, str], stakes: dict[tuple[str, str], int]) -> None:
    target = folder / day.isoformat()
    target.mkdir(parents=True)
    (target / "entities.csv").write_text("id,name,kind,jurisdiction,headquarters,nationality,lists\n" +
                                         "".join(f"{k},{v}\n" for k, v in parties.items()))
    (target / "ownership.csv").write_text("owner,owned,share,interest,start,end\n" +
                                          "".join(f"{a},{b},{v},,,\n" for (a, b), v in sorted(stakes.items())))


def registry(folder: Path, n: int = 1500) -> None:
    """A layered registry, then a busy day: many shares change, some stakes are sold, parties move."""
    rng = random.Random(7)
    countries = ["CN", "DE", "GB", "FR", "US", "NL", "JP"]
    parties = {}
    for i in range(n):
        c = "CN" if rng.random() < 0.03 else rng.choice(countries[1:])
        lists = "ofac-sdn" if rng.random() < 0.01 else ""
        parties[f"P{i:05d}"] = f"Party {i},company,{c},{c},,{lists}"
    stakes = {}
    for i in range(20, n):  # every party below the first 20 is held by one or two parties above it
        for owner in rng.sample(range(i), min(i, rng.choice([1, 1, 2]))):
            stakes[(f"P{owner:05d}", f"P{i:05d}")] = rng.choice([30, 51, 60, 100])
    write_snapshot(folder, D1, parties, stakes)
    for key in rng.sample(sorted(stakes), len(stakes) // 3):
        stakes[key] = rng.choice([10, 49, 50, 75])
    for key in rng.sample(sorted(stakes), len(stakes) // 20):
        del stakes[key]
    for key in rng.sample(sorted(parties), 30):
        c = rng.choice(countries)
        parties[key] = f"Moved {key},company,{c},{c},,"
    write_snapshot(folder, D2, parties, stakes)


def config_file(path: Path, location: Path) -> Path:
    path.write_text(f"policies: [{', '.join(POLICIES)}]\nsources:\n  - name: registry\n    format: csv\n"
                    f"    location: {location}\n    max_drop: 0.5\n")
    return path


def state(store) -> dict:
    """Everything a refresh writes that a user could count, and the verdicts it materialises."""
    counts = dict(store.counts())
    extra = store.driver.execute_query(
        "CALL () { MATCH (r:SourceRecord) RETURN count(r) AS records, count(r.gone) AS gone } "
        "CALL () { MATCH (c:VerdictChange) RETURN count(c) AS changes } "
        "CALL () { MATCH (p:Party) WHERE p.absent_from IS NOT NULL RETURN count(p) AS absent } "
        "CALL () { MATCH ()-[s:INTEREST]->() WHERE s.end IS NOT NULL RETURN count(s) AS ended } "
        "CALL () { MATCH (b:ClosureBefore) RETURN count(b) AS kept } "
        "RETURN records, gone, changes, absent, ended, kept").records[0].data()
    counts.update(extra)
    closures = {}
    for policy in POLICIES:
        info = store.run("closure/version_get", policy=policy)[0]
        closures[policy] = (info["as_of"].to_native(), info["restricted"], info["indeterminate"],
                            {k: v["status"] for k, v in all_standings(store, info["version"]).items()})
    log = {(c["party"]["id"], c["policy"], c["old"], c["new"], c["date"])
           for c in change_log.changes_since(store, date(2000, 1, 1), limit=100_000)}
    return {"counts": counts, "closures": closures, "changes": log}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    registry(root / "registry")
    return root


@pytest.fixture(scope="module")
def clean(store, folder):
    """The state after one clean run of each snapshot."""
    store.clear()
    settings = RefreshSettings(data_dir=folder / "clean")
    config = config_file(folder / "clean.yaml", folder / "registry")
    assert refresh(settings, config, today=D1, store=store).status == "succeeded"
    second = refresh(settings, config, today=D2, store=store)
    assert second.status == "succeeded", second.error
    return state(store)


def start_killable(neo4j_server, folder: Path, name: str) -> subprocess.Popen:
    """`ownergraph refresh` in its own process, in small batches so that it takes a while."""
    uri, user, secret = neo4j_server
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": secret or "",
           "OWNERGRAPH_DATA_DIR": str(folder / name), "OWNERGRAPH_BATCH_SIZE": "10"}
    config = config_file(folder / f"{name}.yaml", folder / "registry")
    return subprocess.Popen([sys.executable, "-m", "ownergraph.cli", "refresh", "--config", str(config)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def kill_when(process: subprocess.Popen, store, query: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the refresh finished before it could be killed: {process.stdout.read().decode()[-2000:]}")
        if store.driver.execute_query(query).records[0]["hit"]:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.02)
    process.kill()
    pytest.fail("the refresh never reached the point where it was to be killed")


# the second snapshot's stakes are being written: Provenance records of the 30 April file exist, the
# closures are not touched yet
MID_APPLY = ("OPTIONAL MATCH (pv:Provenance) WHERE pv.source ENDS WITH '2025-04-30/ownership.csv' "
             "WITH count(pv) AS n RETURN n > 50 AS hit")
# a closure is withdrawn from readers while its region is recomputed
MID_RECOMPUTE = "OPTIONAL MATCH (m:Meta) WHERE m.updating IS NOT NULL RETURN count(m) > 0 AS hit"


@pytest.mark.parametrize("point", [MID_APPLY, MID_RECOMPUTE], ids=["mid-apply", "mid-recompute"])
def test_killed_refresh_run_again_equals_one_clean_run(store, neo4j_server, folder, clean, point, request):
    name = request.node.callspec.id
    store.clear()
    settings = RefreshSettings(data_dir=folder / name)
    assert refresh(settings, config_file(folder / f"{name}-1.yaml", folder / "registry"), today=D1,
                   store=store).status == "succeeded"
    before = verdict(store, "P01400", "cn-majority", D1).verdict
    process = start_killable(neo4j_server, folder, name)
    kill_when(process, store, point)
    assert process.returncode == -signal.SIGKILL
    # dead mid-run: its record says running, the lock is free, the data is queryable as before
    assert history(store, 1)[0]["status"] == "running"
    assert verdict(store, "P01400", "cn-majority", D1).verdict == before
    # run again: the same end state as one clean run
    again = refresh(settings, config_file(folder / f"{name}-2.yaml", folder / "registry"), today=D2, store=store)
    assert again.status == "succeeded", again.error
    runs = history(store, 3)
    assert runs[1]["status"] == "failed" and "interrupted" in runs[1]["error"]
    after = state(store)
    assert after["counts"] == clean["counts"]
    assert after["closures"] == clean["closures"]
    assert after["changes"] == clean["changes"]
