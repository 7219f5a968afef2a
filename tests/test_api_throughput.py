"""What the API does for throughput changes no answer: a verdict's JSON is, byte for byte, the one the
`response_model` path sent before the endpoints answered pre-serialised bytes; `POST /v1/statuses` reads
its ids in one statement and answers what asking them one by one did; `/readyz` is one statement; and
`ownergraph serve --workers N` runs N processes that answer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.api.routers.statuses import PartyStatus
from ownergraph.graph import evaluate, materialise
from ownergraph.graph.errors import AmbiguousParty, UnknownParty
from ownergraph.graph.policy import builtin_policies
from ownergraph.graph.server import free_port
from ownergraph.graph.store import Store
from ownergraph.graph.verdict import Verdict
from ownergraph.loaders.run import load
from ownergraph.settings import Settings

TODAY = date.today()
TWINS = """id,name,kind,jurisdiction,headquarters,nationality,lists
XA:777,Twin Harbour One Ltd,company,GB,GB,,
XB:777,Twin Harbour Two Ltd,company,IE,IE,,
"""


@dataclass
class CountingStore(Store):
    """The test's Store, counting the statements it sends."""

    sent: list[str] = field(default_factory=list)

    def run(self, name: str, **params: Any) -> list[dict]:
        self.sent.append(name)
        return super().run(name, **params)


@pytest.fixture(scope="module")
def demo(store, demo_folder, tmp_path_factory) -> CountingStore:
    twins = tmp_path_factory.mktemp("twins")  # "777" names two parties: an ambiguous id
    (twins / "entities.csv").write_text(TWINS, encoding="utf-8")
    (twins / "ownership.csv").write_text("owner,owned,share\n", encoding="utf-8")
    load(store, [demo_folder, twins], rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    for name in ("cn-majority", "ofac-50", "bis-affiliates"):
        materialise.materialise(store, builtin_policies()[name], TODAY)
    return CountingStore(store.driver, store.database)


@pytest.fixture(scope="module")
def client(demo, tmp_path_factory):
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("data")), store=demo),
                    raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def previous():
    """The bytes FastAPI sends for an endpoint returning a model under `response_model` (validated again,
    then serialised), as the verdict and status endpoints did."""
    held: dict[str, Any] = {}
    app = FastAPI()

    @app.get("/verdict", response_model=Verdict)
    def verdict() -> Verdict:
        return held["answer"]

    @app.get("/statuses", response_model=list[PartyStatus])
    def statuses() -> list[PartyStatus]:
        return held["answer"]

    with TestClient(app) as c:
        def sent(path: str, answer: Any) -> bytes:
            held["answer"] = answer
            return c.get(path).content

        yield sent


def demo_ids(demo_folder: Path) -> list[str]:
    return [line.split(",")[0] for line in (demo_folder / "entities.csv").read_text().splitlines()[1:]]


@pytest.mark.parametrize("policy", sorted(builtin_policies()))
@pytest.mark.parametrize("as_of", [None, "2024-06-01"])  # today: the materialised closure; 2024: on demand
def test_verdict_json_is_the_response_models_byte_for_byte(client, demo, demo_folder, previous, policy, as_of):
    day = date.fromisoformat(as_of) if as_of else None
    for party_id in demo_ids(demo_folder):
        query = f"?policy={policy}" + (f"&as_of={as_of}" if as_of else "")
        answer = client.get(f"/v1/parties/{party_id}/verdict{query}")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        before = previous("/verdict", evaluate.verdict(demo, party_id, builtin_policies()[policy], day))
        assert answer.content == before, (party_id, policy, as_of)
        posted = client.post("/v1/verdicts", json={"party": party_id, "policy": policy, "as_of": as_of})
        assert posted.content == before, (party_id, policy, as_of)


def test_a_materialised_verdict_is_one_statement_over_http(client, demo):
    demo.sent.clear()
    answer = client.get("/v1/parties/VANTAGE/verdict?policy=cn-majority")
    assert answer.json()["verdict"] == "restricted" and answer.json()["engine"] == "cypher-materialised"
    assert demo.sent == ["read/verdicts_materialised"]


def one_by_one(store: Store, ids: list[str], policy: str, as_of: date | None) -> list[PartyStatus]:
    """The answer of POST /v1/statuses as it was built before: one verdict per id."""
    out = []
    for party_id in dict.fromkeys(ids):
        try:
            v = evaluate.verdict(store, party_id, builtin_policies()[policy], as_of)
        except (UnknownParty, AmbiguousParty) as exc:
            out.append(PartyStatus(id=party_id, error=str(exc)))
            continue
        out.append(PartyStatus(id=party_id, key=v.entity.id, name=v.entity.name, verdict=v.verdict, reason=v.reason,
                               restricted_share=v.restricted_share, threshold=v.threshold, margin=v.margin))
    return out


@pytest.mark.parametrize("policy", ["cn-majority", "ofac-50"])
def test_statuses_read_every_id_in_one_statement_and_answer_as_one_by_one(client, demo, demo_folder, previous,
                                                                          policy):
    ids = ["NOPE", *demo_ids(demo_folder), "777", "FJORD"]  # unknown, ambiguous, repeated
    demo.sent.clear()
    answer = client.post("/v1/statuses", json={"ids": ids, "policy": policy})
    assert answer.status_code == 200, answer.text
    assert demo.sent == ["read/verdicts_materialised"]
    assert answer.content == previous("/statuses", one_by_one(demo, ids, policy, None))
    by_id = {a["id"]: a for a in answer.json()}
    assert [a["id"] for a in answer.json()] == list(dict.fromkeys(ids))
    assert by_id["NOPE"]["verdict"] is None and "NOPE" in by_id["NOPE"]["error"]
    assert by_id["777"]["verdict"] is None and "XA:777" in by_id["777"]["error"]


def test_statuses_on_another_day_are_evaluated_and_answer_as_one_by_one(client, demo, demo_folder, previous):
    ids = demo_ids(demo_folder) + ["NOPE"]
    answer = client.post("/v1/statuses", json={"ids": ids, "policy": "cn-majority", "as_of": "2024-06-01"})
    assert answer.status_code == 200, answer.text
    assert answer.content == previous("/statuses", one_by_one(demo, ids, "cn-majority", date(2024, 6, 1)))


def test_readyz_is_one_statement_and_healthz_none(client, demo):
    demo.sent.clear()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "schema_version": 2}
    assert demo.sent == ["api/schema_version"]
    demo.sent.clear()
    health = client.get("/healthz")
    assert (health.status_code, health.content, demo.sent) == (200, b'{"status":"ok"}', [])


def _children(pid: int) -> list[str]:
    """The command lines of a process's children."""
    out = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append((entry / "cmdline").read_bytes().decode(errors="replace"))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes through /proc")
def test_serve_runs_the_workers_asked_for(tmp_path):
    port = free_port()
    env = dict(os.environ, OWNERGRAPH_DATA_DIR=str(tmp_path), OWNERGRAPH_PORT=str(port))
    env.pop("NEO4J_URI", None)  # /healthz needs no database: the driver connects on the first statement
    server = subprocess.Popen([sys.executable, "-m", "ownergraph.cli", "serve", "--workers", "2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, health = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            workers = [c for c in _children(server.pid) if "spawn_main" in c]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    health = json.loads(answer.read())
            except OSError:
                health = None
            if health and len(workers) == 2:
                break
            time.sleep(0.5)
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
        assert health == {"status": "ok"}
        assert len([c for c in _children(server.pid) if "spawn_main" in c]) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
