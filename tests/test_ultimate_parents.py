"""GLEIF ultimate parents computed from the direct consolidation chain beside the declared ones, on the
party (`ownergraph party`, GET /v1/parties/{id}) and in the quality report, against a real Neo4j.

rr-updates-data2.json: 98450051BS9C610A8T78 is consolidated by 2138002YAB7Z9KO21397, itself consolidated
by 984500501A1B1045PB30 from 2019-06-30; the child declares 984500501A1B1045PB30 as its ultimate parent.
"""

from __future__ import annotations

import json

import pytest
from builders import ownergraph
from conftest import shared_data
from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.loaders.quality import render, report
from ownergraph.loaders.run import load
from ownergraph.settings import Settings

CHILD, MIDDLE, TOP = "98450051BS9C610A8T78", "2138002YAB7Z9KO21397", "984500501A1B1045PB30"


@pytest.fixture(scope="module")
def gleif(store, neo4j_server, tmp_path_factory):
    data = shared_data("gleif", "bodspipelines", "tests", "fixtures", "rr-updates-data2.json")
    load(store, [data], fmt="gleif", rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    return neo4j_server


def test_the_party_command_prints_computed_and_declared_ultimate_parents(gleif):
    out = json.loads(ownergraph(gleif, "party", CHILD, "--as-of", "2024-01-01", "--json").stdout)
    parents = out["ultimate_parents"]
    assert out["id"] == f"LEI:{CHILD}"
    assert [(p["lei"], p["levels"], p["chain"]) for p in parents["computed"]] == [
        (TOP, 2, [f"LEI:{CHILD}", f"LEI:{MIDDLE}", f"LEI:{TOP}"])]
    assert [p["lei"] for p in parents["declared"]] == [TOP] and parents["agree"] is True

    text = ownergraph(gleif, "party", CHILD.lower(), "--as-of", "2019-01-01").stdout
    assert "GLEIF ultimate parent, as of 2019-01-01" in text
    computed = next(line for line in text.splitlines() if "computed" in line and "LEI:" in line)
    declared = next(line for line in text.splitlines() if "declared" in line and "LEI:" in line)
    assert MIDDLE in computed and TOP in declared
    assert "computed and declared disagree" in text


def test_the_party_endpoint_gives_both(loaded_client):
    body = loaded_client.get(f"/v1/parties/{CHILD}", params={"as_of": "2019-01-01"}).json()
    parents = body["ultimate_parents"]
    assert parents["as_of"] == "2019-01-01" and parents["agree"] is False
    assert [p["lei"] for p in parents["computed"]] == [MIDDLE]
    assert [p["lei"] for p in parents["declared"]] == [TOP] and parents["declared"][0]["records"]
    today = loaded_client.get(f"/v1/parties/LEI:{CHILD}").json()["ultimate_parents"]
    assert [p["lei"] for p in today["computed"]] == [TOP]


def test_the_quality_report_lists_disagreements(gleif, store):
    from datetime import date

    early = report(store, date(2019, 1, 1))
    assert early.ultimate_disagreements >= 1
    example = next(d for d in early.ultimate_examples if d.party.key == f"LEI:{CHILD}")
    assert [p.key for p in example.computed] == [f"LEI:{MIDDLE}"] and [p.key for p in example.declared] == [f"LEI:{TOP}"]
    assert any("GLEIF ultimate parents" in line for line in render(early))
    later = report(store, date(2024, 1, 1))
    assert all(d.party.key != f"LEI:{CHILD}" for d in later.ultimate_examples)
    out = ownergraph(gleif, "quality", "--as-of", "2019-01-01").stdout
    assert "GLEIF ultimate parents:" in out and f"LEI:{CHILD}" in out


@pytest.fixture(scope="module")
def loaded_client(gleif, store, tmp_path_factory):
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("data")), store=store),
                    raise_server_exceptions=False) as c:
        yield c
