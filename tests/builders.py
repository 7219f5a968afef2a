"""Tiny ownership graphs written in the tests, judged by both engines."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from ownergraph.graph import evaluate
from ownergraph.graph.model import PartyRecord, Provenance, StakeRecord
from ownergraph.graph.network import from_records
from ownergraph.graph.policy import Policy, load_policy, parse_policy
from ownergraph.graph.share import Share
from ownergraph.loaders.records import Reject
from ownergraph.loaders.sink import RejectsFile, Sink

TODAY = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[1]


def ownergraph(neo4j_server, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`ownergraph ARGS...` in a child process against the test Neo4j; asserts success unless check=False."""
    uri, user, secret = neo4j_server
    env = dict(os.environ, NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=secret or "", COLUMNS="200")
    done = subprocess.run([sys.executable, "-m", "ownergraph.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def org(pid: str, country: str | None = None, lists: tuple[str, ...] = (), name: str | None = None) -> PartyRecord:
    return PartyRecord(identifiers=(f"t:{pid}",), provenance=Provenance("test", pid), name=name or pid,
                       kind="company", headquarters=country, lists=lists)


def person(pid: str, nationality: str | None = None, lists: tuple[str, ...] = ()) -> PartyRecord:
    return PartyRecord(identifiers=(f"t:{pid}",), provenance=Provenance("test", pid), name=pid, kind="person",
                       nationalities=(nationality,) if nationality else (), lists=lists)


def stake(owner: str, owned: str, share: str | None = None, *, lo: str | None = None, hi: str | None = None,
          lo_open: bool = False, hi_open: bool = False, interest: str = "shareholding",
          start: date | None = None, end: date | None = None, source: str = "test",
          record: str | None = None, stated: date | None = None) -> StakeRecord:
    if share is not None:
        value = Share.exact(share)
    elif lo is not None or hi is not None:
        value = Share(Decimal(lo or 0), Decimal(hi or 100), lo_open, hi_open)
    else:
        value = Share.unknown()
    return StakeRecord(owner=f"t:{owner}", owned=f"t:{owned}", interest=interest, share=value, start=start, end=end,
                       provenance=Provenance(source, record or f"{owner}->{owned}:{interest}:{start}", stated))


def policy(name_or_body: str | dict) -> Policy:
    return load_policy(name_or_body) if isinstance(name_or_body, str) else parse_policy(name_or_body)


def load_into(store, items, tmp_path) -> None:
    store.clear()
    sink = Sink(store, RejectsFile(tmp_path / "rejects.csv"), batch_size=500)
    for item in items:
        sink.add(item)
    summary = sink.finish()
    assert summary.rejected_total == 0, f"fixture rejected: {summary.rejected}"


def both(store, items, party: str, chosen: Policy | str, as_of: date = TODAY, tmp_path=None):
    """(memory verdict, Cypher verdict) for one party; the fixture is loaded into the store first."""
    chosen = policy(chosen) if not isinstance(chosen, Policy) else chosen
    items = [i for i in items if not isinstance(i, Reject)]
    memory = evaluate.verdict_in_network(from_records(items), f"t:{party}", chosen, as_of)
    load_into(store, items, tmp_path)
    cypher = evaluate.verdict(store, f"t:{party}", chosen, as_of)
    return memory, cypher


class Unclosed:
    """A test module's store handed to the CLI, which closes what it is given: closing it is a no-op."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def close(self):
        pass
