"""The HTTP API against a real Neo4j loaded with the demo data (and a few parties written here)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from neo4j import GraphDatabase

from ownergraph.api import keys
from ownergraph.api.app import create_app
from ownergraph.graph.store import Store
from ownergraph.loaders.run import load
from ownergraph.settings import Settings

EXTRA_ENTITIES = """id,name,kind,jurisdiction,headquarters,nationality,lists
XA:777,Twin Harbour One Ltd,company,GB,GB,,
XB:777,Twin Harbour Two Ltd,company,IE,IE,,
MUELLER,Müller Präzision GmbH,company,DE,DE,,
"""


@pytest.fixture(scope="module")
def loaded(store, demo_folder, tmp_path_factory):
    extra = tmp_path_factory.mktemp("extra")
    (extra / "entities.csv").write_text(EXTRA_ENTITIES, encoding="utf-8")
    (extra / "ownership.csv").write_text("owner,owned,share\n", encoding="utf-8")
    rejects = tmp_path_factory.mktemp("rejects")
    load(store, [demo_folder, extra], rejects=rejects / "r.csv", show_progress=False)
    return store


@pytest.fixture(scope="module")
def client(loaded, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, store=loaded), raise_server_exceptions=False) as c:
        yield c


def ids(items):
    return [i["party"]["id"] for i in items]


def assert_no_trace(response):
    assert "Traceback" not in response.text and 'File "' not in response.text


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["schema_version"] >= 1


def test_party_details_by_bare_id_and_by_key(client):
    by_value = client.get("/v1/parties/VANTAGE").json()
    by_key = client.get("/v1/parties/csv:VANTAGE").json()
    assert by_value == by_key
    assert by_value["name"] == "Vantage Robotics B.V." and by_value["country"] == "NL"
    assert by_value["identifiers"] == [{"id": "csv:VANTAGE", "scheme": "csv", "value": "VANTAGE"}]
    assert by_value["owner_count"] == 1 and by_value["subsidiary_count"] == 0
    volga = client.get("/v1/parties/VOLGA").json()
    assert [item["name"] for item in volga["lists"]] == ["ofac-sdn"]


def test_unknown_id_is_404_naming_it(client):
    answer = client.get("/v1/parties/NO-SUCH-PARTY/verdict")
    assert answer.status_code == 404
    assert answer.json()["id"] == "NO-SUCH-PARTY" and "NO-SUCH-PARTY" in answer.json()["message"]
    assert client.get("/v1/parties/NO-SUCH-PARTY").status_code == 404


def test_ambiguous_id_is_409_listing_the_candidates(client):
    answer = client.get("/v1/parties/777")
    assert answer.status_code == 409
    assert sorted(c["key"] for c in answer.json()["candidates"]) == ["XA:777", "XB:777"]
    assert client.get("/v1/parties/XB:777").json()["name"] == "Twin Harbour Two Ltd"


def test_owners_follow_levels_and_paginate(client):
    direct = client.get("/v1/parties/VANTAGE/owners").json()
    assert ids(direct["items"]) == ["csv:RHEINWERK"] and direct["total"] == 1
    assert direct["items"][0]["edges"][0]["share"]["min"] == 100.0
    assert direct["items"][0]["edges"][0]["sources"][0]["source"].endswith("(KvK extract)")
    whole = client.get("/v1/parties/VANTAGE/owners", params={"depth": 6}).json()
    assert [(i["party"]["id"], i["depth"]) for i in whole["items"]] == [
        ("csv:RHEINWERK", 1), ("csv:NORDLICHT", 2), ("csv:ALPEN", 2), ("csv:DRAGON", 3)]
    page = client.get("/v1/parties/VANTAGE/owners", params={"depth": 6, "limit": 2, "offset": 2}).json()
    assert page["total"] == 4 and ids(page["items"]) == ["csv:ALPEN", "csv:DRAGON"]


def test_subsidiaries_and_the_as_of_date(client):
    subs = client.get("/v1/parties/DRAGON/subsidiaries").json()
    assert set(ids(subs["items"])) == {"csv:NORDLICHT", "csv:COBALT", "csv:FJORD", "csv:IBERIA"}
    two = client.get("/v1/parties/DRAGON/subsidiaries", params={"depth": 2}).json()
    assert ("csv:RHEINWERK", 2) in [(i["party"]["id"], i["depth"]) for i in two["items"]]
    before = client.get("/v1/parties/ANCHOR/owners", params={"as_of": "2023-01-01"}).json()
    after = client.get("/v1/parties/ANCHOR/owners", params={"as_of": "2024-01-01"}).json()
    assert set(ids(before["items"])) == {"csv:VOLGA", "csv:SHENZHEN"}
    assert ids(after["items"]) == ["csv:VOLGA"]


@pytest.mark.parametrize("params, field", [({"depth": 7}, "depth"), ({"depth": 0}, "depth"),
                                           ({"limit": 0}, "limit"), ({"as_of": "2024-13-01"}, "as_of")])
def test_bad_parameters_are_422_naming_the_field(client, params, field):
    answer = client.get("/v1/parties/VANTAGE/owners", params=params)
    assert answer.status_code == 422
    assert [f["field"] for f in answer.json()["fields"]] == [field]
    assert_no_trace(answer)


def test_search_by_name_ranks_the_closest_first(client):
    hits = client.get("/v1/search", params={"q": "Vantage"}).json()["results"]
    assert hits[0]["id"] == "csv:VANTAGE"
    hits = client.get("/v1/search", params={"q": "nordlicht investments sarl"}).json()["results"]
    assert hits[0]["id"] == "csv:NORDLICHT" and hits[0]["matched"] == "name"
    hits = client.get("/v1/search", params={"q": "Shenzen Harbor"}).json()["results"]  # misspelt
    assert hits[0]["id"] == "csv:SHENZHEN"
    hits = client.get("/v1/search", params={"q": "mueller prazision"}).json()["results"]
    assert "csv:MUELLER" in [h["id"] for h in hits]


def test_search_by_identifier_comes_first(client):
    hits = client.get("/v1/search", params={"q": "777"}).json()["results"]
    assert [h["id"] for h in hits[:2]] == ["XA:777", "XB:777"]
    assert all(h["matched"] == "identifier" and h["score"] == 100 for h in hits[:2])


@pytest.mark.parametrize("q", ['AND OR NOT "(', "*", "a:b:c", "~~~", "\\"])
def test_search_survives_query_syntax(client, q):
    answer = client.get("/v1/search", params={"q": q})
    assert answer.status_code == 200


def test_search_needs_a_query(client):
    answer = client.get("/v1/search", params={"q": ""})
    assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == "q"


def test_policies_lists_the_builtins_with_hashes(client):
    policies = {p["name"]: p for p in client.get("/v1/policies").json()}
    assert set(policies) == {"cn-majority", "cn-effective", "ofac-50", "bis-affiliates"}
    assert policies["ofac-50"]["threshold"] == "at least 50%"
    assert len({p["hash"] for p in policies.values()}) == 4


def test_verdict_of_vantage_is_restricted_through_dragon_peak(client):
    v = client.get("/v1/parties/VANTAGE/verdict").json()
    assert v["verdict"] == "restricted" and v["reason"] == "ownership" and v["policy"] == "cn-majority"
    chain = [(e["owner"], e["owned"]) for e in v["paths"][0]["edges"]]
    assert chain == [("csv:DRAGON", "csv:NORDLICHT"), ("csv:NORDLICHT", "csv:RHEINWERK"),
                     ("csv:RHEINWERK", "csv:VANTAGE")]
    assert v["explanation"] and v["threshold"] == {"value": 50.0, "inclusive": False}


def test_verdict_depends_on_policy_and_date(client):
    assert client.get("/v1/parties/VANTAGE/verdict", params={"policy": "ofac-50"}).json()["verdict"] == "clear"
    assert client.get("/v1/parties/ANCHOR/verdict", params={"policy": "ofac-50"}).json()["verdict"] == "restricted"
    early = client.get("/v1/parties/VANTAGE/verdict", params={"as_of": "2020-01-01"}).json()
    assert early["verdict"] == "clear" and early["as_of"] == "2020-01-01"


def test_controllers_nearest_first(client):
    found = client.get("/v1/parties/VANTAGE/controllers").json()
    assert [(c["party"]["id"], c["distance"], c["status"]) for c in found] == [
        ("csv:RHEINWERK", 1, "controls"), ("csv:NORDLICHT", 2, "controls"), ("csv:DRAGON", 3, "controls")]
    assert [e["owner"] for e in found[2]["paths"][0]["edges"]] == ["csv:DRAGON", "csv:NORDLICHT", "csv:RHEINWERK"]
    assert client.get("/v1/parties/NO-SUCH-PARTY/controllers").status_code == 404


def test_unknown_policy_is_422(client):
    answer = client.get("/v1/parties/VANTAGE/verdict", params={"policy": "/etc/passwd"})
    assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == "policy"


def test_posted_policy_extending_a_builtin(client):
    persons = {"name": "cn-persons", "extends": "cn-majority", "restricted": {"nationalities": ["CN"]}}
    default = client.post("/v1/verdicts", json={"party": "LOTUS"}).json()
    adhoc = client.post("/v1/verdicts", json={"party": "LOTUS", "policy": persons}).json()
    assert default["verdict"] == "clear"
    assert adhoc["verdict"] == "restricted" and adhoc["policy"] == "cn-persons"
    assert adhoc["policy_hash"] != default["policy_hash"]


@pytest.mark.parametrize("policy, field", [
    ({"name": "x", "extends": "/etc/passwd"}, "policy.extends"),
    ({"name": "x", "threshold": 500, "inclusive": True}, "policy.threshold"),
    ({"name": "x", "restricted": {"headquarters": ["China"]}, "threshold": 50, "inclusive": True}, "policy"),
    ({"name": "x"}, "policy"),
    ("no-such-policy", "policy"),
])
def test_bad_posted_policy_is_422(client, policy, field):
    answer = client.post("/v1/verdicts", json={"party": "LOTUS", "policy": policy})
    assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == field
    assert "root:" not in answer.text
    assert_no_trace(answer)


def test_screen_json_list(client):
    rows = [{"ref": "a", "name": "Vantage Robotics BV"}, {"ref": "b", "id": "DRAGON"},
            {"ref": "c", "name": "Nobody Anywhere"}, {"ref": "d", "id": "777"}]
    answer = client.post("/v1/screen", json=rows)
    assert answer.status_code == 200
    out = {r["input"]["ref"]: r for r in answer.json()["results"]}
    assert out["a"]["match"] == "name" and out["a"]["party"]["id"] == "csv:VANTAGE"
    assert out["a"]["verdict"]["verdict"] == "restricted"
    assert out["b"]["match"] == "identifier" and out["b"]["verdict"]["reason"] == "seed"
    assert out["c"]["match"] == "none" and out["c"]["verdict"] is None
    assert out["d"]["match"] == "ambiguous" and len(out["d"]["candidates"]) == 2


def test_screen_csv_upload_answers_csv(client):
    text = "ref,name,country\n1,Fjord Sensors AS,NO\n2,Volga Shipping,RU\n"
    files = {"file": ("list.csv", text.encode(), "text/csv")}
    answer = client.post("/v1/screen", params={"policy": "ofac-50"}, files=files, headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["ref"], r["party_id"], r["verdict"]) for r in rows] == [
        ("1", "csv:FJORD", "clear"), ("2", "csv:VOLGA", "restricted")]
    raw = client.post("/v1/screen", params={"format": "csv", "policy": "ofac-50"}, content=text,
                      headers={"Content-Type": "text/csv"})
    assert [r["verdict"] for r in csv.DictReader(io.StringIO(raw.text))] == ["clear", "restricted"]


def test_screen_rejects_bad_input(client):
    assert client.post("/v1/screen", content="x,y\n1,2\n", headers={"Content-Type": "text/csv"}).status_code == 422
    assert client.post("/v1/screen", json={"not": "a list"}).status_code == 422
    assert client.post("/v1/screen", content=b"\xff\xfe", headers={"Content-Type": "text/csv"}).status_code == 422


def test_oversized_body_is_413(client):
    big = [{"name": "x" * 400}] * 20000
    answer = client.post("/v1/screen", content=json.dumps(big), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    chunks = (b" " * 1_000_000 for _ in range(6))  # streamed, no Content-Length
    answer = client.post("/v1/verdicts", content=chunks, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"] == "PayloadTooLarge"


def test_page_and_its_script_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and 'id="search"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    lib = client.get("/static/vendor/cytoscape.min.js")
    assert lib.status_code == 200 and "cytoscape" in lib.text[:2000].lower()


def test_neo4j_down_is_503_with_retry_after(tmp_path):
    dead = Store(GraphDatabase.driver("bolt://127.0.0.1:1", auth=("neo4j", "x"),
                                      connection_acquisition_timeout=2, connection_timeout=2,
                                      max_transaction_retry_time=1))
    with TestClient(create_app(Settings(data_dir=tmp_path), store=dead), raise_server_exceptions=False) as c:
        for url in ("/v1/parties/VANTAGE/verdict", "/v1/search?q=x", "/readyz"):
            answer = c.get(url)
            assert answer.status_code == 503, url
            assert answer.headers["retry-after"] and answer.json()["error"] == "DatabaseUnavailable"
            assert_no_trace(answer)
        assert c.get("/healthz").status_code == 200
    dead.close()


def test_api_keys_when_required(loaded, tmp_path):
    settings = Settings(data_dir=tmp_path).model_copy(update={"api_keys_required": True})
    record, key = keys.create(tmp_path, "ci")
    assert key not in keys.keys_path(tmp_path).read_text() and record.id in key
    with TestClient(create_app(settings, store=loaded), raise_server_exceptions=False) as c:
        assert c.get("/v1/parties/VANTAGE").status_code == 401
        assert c.get("/v1/parties/VANTAGE", headers={"X-API-Key": key + "x"}).status_code == 401
        assert c.get("/v1/parties/VANTAGE", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert c.get("/healthz").status_code == 200
        assert keys.revoke(tmp_path, record.id)
        assert c.get("/v1/parties/VANTAGE", headers={"X-API-Key": key}).status_code == 401
    assert not keys.revoke(tmp_path, record.id)
    assert [k.public()["revoked"] is not None for k in keys.list_keys(tmp_path)] == [True]
