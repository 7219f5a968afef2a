"""Casework over HTTP: each interest's source records, many statuses at once, the margin of every verdict,
and the API's own documentation served from the package."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.loaders.run import load
from ownergraph.settings import Settings

RESTATED = """owner,owned,share,interest,start,source
ALPEN,FJORD,50,shareholding,2018-01-01,Annual report 2017
"""


@pytest.fixture(scope="module")
def client(store, demo_folder, tmp_path_factory):
    extra = tmp_path_factory.mktemp("extra")
    (extra / "entities.csv").write_text("id,name,kind\n", encoding="utf-8")
    (extra / "ownership.csv").write_text(RESTATED, encoding="utf-8")
    rejects = tmp_path_factory.mktemp("rejects") / "r.csv"
    load(store, [demo_folder, extra], rejects=rejects, show_progress=False)
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c


def test_owners_carry_every_source_record_with_the_share_it_stated(client):
    page = client.get("/v1/parties/FJORD/owners?depth=1").json()
    alpen = next(i for i in page["items"] if i["party"]["id"] == "csv:ALPEN")
    (interest,) = alpen["edges"]
    stated = sorted((s["source"].split("(")[-1].rstrip(")"), s["share"]["min"]) for s in interest["sources"])
    assert stated == [("Annual report 2017", 50), ("Bronnoysund register", 55)]
    assert interest["share"]["min"] == 50  # the latest statement's values (no dates: the last loaded)
    assert all(s["record"] and "statement_date" in s and "url" in s for s in interest["sources"])


def test_statuses_of_many_parties_in_one_request(client):
    answer = client.post("/v1/statuses", json={"ids": ["DRAGON", "FJORD", "COBALT", "BALTIC", "NOPE"],
                                               "policy": "cn-majority", "as_of": "2024-06-01"})
    assert answer.status_code == 200, answer.text
    by_id = {a["id"]: a for a in answer.json()}
    assert [a["id"] for a in answer.json()] == ["DRAGON", "FJORD", "COBALT", "BALTIC", "NOPE"]
    assert by_id["DRAGON"]["verdict"] == "restricted" and by_id["DRAGON"]["reason"] == "seed"
    assert by_id["FJORD"]["verdict"] == "clear" and by_id["FJORD"]["margin"] == pytest.approx(5)
    assert by_id["COBALT"]["verdict"] == "restricted" and by_id["COBALT"]["margin"] == pytest.approx(5)
    assert by_id["BALTIC"]["verdict"] == "indeterminate"
    assert by_id["NOPE"]["verdict"] is None and "NOPE" in by_id["NOPE"]["error"]


def test_statuses_refuse_an_unknown_policy_and_too_many_ids(client):
    bad = client.post("/v1/statuses", json={"ids": ["FJORD"], "policy": "nosuch"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "policy"
    many = client.post("/v1/statuses", json={"ids": [f"P{i}" for i in range(201)]})
    assert many.status_code == 422 and many.json()["fields"][0]["field"] == "ids"


def test_margin_is_given_for_restricted_and_indeterminate_verdicts(client):
    cobalt = client.get("/v1/parties/COBALT/verdict?policy=cn-majority&as_of=2024-06-01").json()
    assert cobalt["verdict"] == "restricted" and cobalt["margin"] == pytest.approx(5)  # 55% against > 50%
    baltic = client.get("/v1/parties/BALTIC/verdict?policy=cn-majority&as_of=2024-06-01").json()
    share, threshold = baltic["restricted_share"], baltic["threshold"]["value"]
    assert baltic["margin"] == pytest.approx(share["min"] - threshold) and baltic["margin"] < 0


def test_docs_and_redoc_are_served_from_the_package(client):
    for path, script in [("/docs", "/static/vendor/swagger-ui/swagger-ui-bundle.js"),
                         ("/redoc", "/static/vendor/redoc.standalone.js")]:
        page = client.get(path)
        assert page.status_code == 200 and script in page.text and "<script>" not in page.text
        assert client.get(script).status_code == 200


def test_openapi_declares_the_api_key_schemes_and_the_401_answers_when_keys_are_required(client, store, tmp_path):
    assert "securitySchemes" not in client.get("/openapi.json").json().get("components", {})  # keys off
    settings = Settings(data_dir=tmp_path).model_copy(update={"api_keys_required": True})
    with TestClient(create_app(settings, store=store)) as guarded:
        schema = guarded.get("/openapi.json").json()
        assert guarded.get("/docs").status_code == 200  # the documentation needs no key
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiKey"]["type"] == "apiKey" and schemes["ApiKey"]["in"] == "header"
    assert schemes["ApiKey"]["name"] == "X-API-Key"
    assert schemes["Bearer"]["scheme"].lower() == "bearer"
    verdict = schema["paths"]["/v1/parties/{party_id}/verdict"]["get"]
    assert "401" in verdict["responses"] and {"ApiKey": []} in verdict["security"]
    assert "401" in schema["paths"]["/v1/statuses"]["post"]["responses"]
    assert "security" not in schema["paths"]["/healthz"]["get"]
