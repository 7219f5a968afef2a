"""Small things a new user meets first: HEAD on the page and the health check, the error for a body that
is not JSON, and `ownergraph keys list` as a table or JSON. No database needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from ownergraph.api import keys
from ownergraph.api.app import create_app
from ownergraph.graph.store import Store
from ownergraph.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    # no database: these answers must not need one (a dead address, never dialled by them)
    dead = Store(GraphDatabase.driver("bolt://127.0.0.1:1", auth=("neo4j", "x"), connection_acquisition_timeout=1,
                                      connection_timeout=1, max_transaction_retry_time=0))
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("data")), store=dead),
                    raise_server_exceptions=False) as c:
        yield c
    dead.close()


def test_head_is_answered_on_the_page_and_the_health_check(client):
    for url in ("/", "/healthz"):
        answer = client.head(url)
        assert answer.status_code == 200, url
        assert answer.content == b""
    assert client.get("/healthz").json() == {"status": "ok"}


def test_a_body_that_is_not_json_names_the_body(client):
    answer = client.post("/v1/verdicts", content=b'{"party": ', headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["fields"] == [{"field": "body", "message": "not valid JSON at character 10: Expecting value"}]
    assert body["message"] == "body: not valid JSON at character 10: Expecting value"


def keys_list(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ownergraph.cli", "keys", "list", *args], capture_output=True,
                          text=True, cwd=ROOT, env=dict(os.environ, OWNERGRAPH_DATA_DIR=str(data_dir), COLUMNS="200"),
                          timeout=120)


def test_keys_list_is_a_table_or_json(tmp_path):
    assert "no API keys" in keys_list(tmp_path).stdout
    first, _ = keys.create(tmp_path, "ci")
    second, _ = keys.create(tmp_path, "page")
    keys.revoke(tmp_path, second.id)
    table = keys_list(tmp_path)
    assert table.returncode == 0, table.stderr
    assert "{" not in table.stdout and "'id'" not in table.stdout
    header = next(line for line in table.stdout.splitlines() if "created" in line)
    assert all(word in header for word in ("id", "name", "created", "revoked"))
    row = next(line for line in table.stdout.splitlines() if first.id in line)
    assert "ci" in row
    listed = json.loads(keys_list(tmp_path, "--json").stdout)
    assert [(k["id"], k["name"], k["revoked"] is not None) for k in listed] == [
        (first.id, "ci", False), (second.id, "page", True)]
