"""Screening lists (POST /v1/screen and `ownergraph screen`) and id lookups, against a real Neo4j.

Every input row gives exactly one output row; a row that cannot be read says why instead of looking like
"no such company". Ids are found however their scheme is cased and as the loaders normalise their values.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from builders import ownergraph
from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.loaders.run import load
from ownergraph.screening.csv_rows import read_csv
from ownergraph.settings import Settings

LEI = "5493001KJTIIGC8Y1R12"
ENTITIES = f"""id,name,kind,jurisdiction,headquarters,nationality,lists
KLASSIK-AG,Klassik Radio AG,company,DE,DE,,
KLASSIK-KG,Klassik Radio GmbH & Co. KG,company,DE,DE,,
LEI:{LEI},Lotus Ledger Holdings Ltd,company,CN,CN,,
GB-COH:1234567,Albion Widgets Limited,company,GB,GB,,
ALBION-PLC,Albion Widgets PLC,company,GB,GB,,
"""
OWNERSHIP = f"""owner,owned,share
LEI:{LEI},GB-COH:01234567,60
"""


@pytest.fixture(scope="module")
def loaded(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("screening")
    (folder / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (folder / "ownership.csv").write_text(OWNERSHIP, encoding="utf-8")
    load(store, [folder], rejects=folder / "rejects.csv", show_progress=False)
    return store


@pytest.fixture(scope="module")
def client(loaded, tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"))
    with TestClient(create_app(settings, store=loaded), raise_server_exceptions=False) as c:
        yield c


def screen_csv(client, text: str) -> list[dict]:
    answer = client.post("/v1/screen", content=text.encode(), headers={"Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def test_a_long_csv_value_is_an_error_row_not_a_500(client):
    text = f"ref,id,name\nlong-name,,{'Klassik ' * 80}\nlong-id,{'9' * 600},\nok,,Klassik Radio AG\n"
    results = screen_csv(client, text)
    assert [r["input"]["ref"] for r in results] == ["long-name", "long-id", "ok"]
    assert "name longer than 500 characters" in results[0]["error"]
    assert "id longer than 500 characters" in results[1]["error"]
    assert results[0]["match"] == "none" and results[1]["match"] == "none"
    assert results[2]["error"] is None and results[2]["party"]["id"] == "csv:KLASSIK-AG"
    longest = client.post("/v1/screen", json=[{"id": "9" * 500, "name": "Klassikradio" * 41}])
    assert longest.status_code == 200 and longest.json()["results"][0]["match"] == "none"
    # the connection stays usable
    assert client.get("/healthz").status_code == 200


def test_an_unterminated_quote_spoils_only_its_own_row(client):
    text = 'ref,name\n1,"Klassik Radio AG\n2,Albion Widgets Limited\n3,Lotus Ledger Holdings Ltd\n'
    results = screen_csv(client, text)
    assert len(results) == 3
    assert results[0]["error"] == "line 2: cannot be read: an unterminated quote"
    assert [r["party"]["id"] for r in results[1:]] == ["GB-COH:01234567", f"LEI:{LEI}"]


def test_rows_without_id_or_name_or_with_the_wrong_width_say_so(client):
    text = "ref,id,name,country\nempty,,,DE\nshort,,Klassik Radio AG\nwide,,Klassik Radio AG,DE,extra\nnobody,,Nobody Anywhere,\n"
    results = {r["input"]["ref"]: r for r in screen_csv(client, text)}
    assert results["empty"]["error"] == "line 2: neither an id nor a name"
    assert results["short"]["error"] == "line 3: 3 fields where the header has 4"
    assert results["wide"]["error"] == "line 4: 5 fields where the header has 4"
    assert all(results[r]["party"] is None for r in ("empty", "short", "wide"))
    assert results["nobody"]["match"] == "none" and results["nobody"]["error"] is None
    answer = client.post("/v1/screen", json=[{"ref": "x", "country": "DE"}])
    assert answer.json()["results"][0]["error"] == "x: neither an id nor a name"


def test_the_exact_name_wins_over_another_legal_form(client):
    answer = client.post("/v1/screen", json=[{"ref": "ag", "name": "Klassik Radio AG"},
                                             {"ref": "kg", "name": "KLASSIK RADIO GMBH & CO KG"},
                                             {"ref": "bare", "name": "Klassik Radio"},
                                             {"ref": "ltd", "name": "Albion Widgets Ltd"}])
    out = {r["input"]["ref"]: r for r in answer.json()["results"]}
    assert out["ag"]["match"] == "name" and out["ag"]["party"]["id"] == "csv:KLASSIK-AG"
    assert out["kg"]["match"] == "name" and out["kg"]["party"]["id"] == "csv:KLASSIK-KG"
    assert out["ltd"]["match"] == "name" and out["ltd"]["party"]["id"] == "GB-COH:01234567"  # Ltd = Limited
    assert out["bare"]["match"] == "ambiguous" and len(out["bare"]["candidates"]) == 2


def test_ids_are_found_as_the_loader_normalises_them(client):
    for typed in (f"lei:{LEI.lower()}", LEI.lower(), f"LEI:{LEI}"):
        answer = client.get(f"/v1/parties/{typed}")
        assert answer.status_code == 200, typed
        assert answer.json()["id"] == f"LEI:{LEI}"
    for typed in ("GB-COH:1234567", "gb-coh:01234567"):
        answer = client.get(f"/v1/parties/{typed}/verdict")
        assert answer.status_code == 200 and answer.json()["verdict"] == "restricted", typed
    results = screen_csv(client, f"ref,id\na,lei:{LEI.lower()}\nb,GB-COH:1234567\nc,klassik-ag\n")
    assert [r["party"] and r["party"]["id"] for r in results] == [f"LEI:{LEI}", "GB-COH:01234567", None]
    assert client.get("/v1/parties/klassik-ag").status_code == 404  # CSV ids are exact


def test_the_command_line_screens_every_row_and_finds_normalised_ids(loaded, neo4j_server, tmp_path):
    listing = tmp_path / "list.csv"
    listing.write_text(f'ref,id,name\n1,,"Klassik Radio AG\n2,gb-coh:1234567,\n3,,{"x" * 501}\n4,,Klassik Radio AG\n',
                       encoding="utf-8")
    out = ownergraph(neo4j_server, "screen", str(listing), "--out", str(tmp_path / "out.csv"))
    assert "4 rows: 2 matched, 1 restricted, 2 with an error" in out.stdout
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [(r["ref"], r["party_id"], r["error"]) for r in rows] == [
        ("line 2", "", "line 2: cannot be read: an unterminated quote"),
        ("2", "GB-COH:01234567", ""),
        ("3", "", "line 4: name longer than 500 characters (501)"),
        ("4", "csv:KLASSIK-AG", "")]
    assert rows[1]["verdict"] == "restricted"
    verdict = json.loads(ownergraph(neo4j_server, "verdict", f"lei:{LEI.lower()}", "--json").stdout)
    assert verdict["entity"]["id"] == f"LEI:{LEI}"
    verdict = json.loads(ownergraph(neo4j_server, "verdict", "GB-COH:1234567", "--json").stdout)
    assert verdict["verdict"] == "restricted"


def test_csv_reading_without_a_database():
    rows = read_csv('\ufeffname,ref\r\n"Acme, Ltd",a\r\n\r\n"bad"x,b\r\n', max_rows=10)
    assert [(r.ref, r.name, r.error) for r in rows] == [
        ("a", "Acme, Ltd", None), ("line 4", None, "line 4: cannot be read: bad quoting (',' expected after '\"')")]
    with pytest.raises(ValueError, match="needs an id or a name"):
        read_csv("x,y\n1,2\n", max_rows=10)
    with pytest.raises(OverflowError):
        read_csv("name\na\nb\n", max_rows=1)


def test_the_memory_engine_finds_normalised_ids_too(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "ownership.csv").write_text(OWNERSHIP, encoding="utf-8")
    for typed in ("gb-coh:1234567", "1234567", f"lei:{LEI.lower()}"):
        done = subprocess.run([sys.executable, "-m", "ownergraph.cli", "verdict", typed, "--engine", "memory",
                               "--data", str(tmp_path), "--json"], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parents[1], env=dict(os.environ, NEO4J_URI=""))
        assert done.returncode == 0, (typed, done.stderr)
        assert json.loads(done.stdout)["verdict"] == "restricted", typed
    assert json.loads(subprocess.run(
        [sys.executable, "-m", "ownergraph.cli", "verdict", "1234567", "--engine", "memory", "--data", str(tmp_path),
         "--json"], capture_output=True, text=True, env=dict(os.environ, NEO4J_URI=""),
        cwd=Path(__file__).resolve().parents[1]).stdout)["entity"]["id"] == "GB-COH:01234567"


def test_a_name_the_index_refuses_spoils_only_its_row(loaded):
    from ownergraph.screening.rows import Row, screen

    results = screen(loaded, [Row(ref="huge", name="Klassikradio" * 500), Row(ref="ok", name="Klassik Radio AG")],
                     verdict_of=lambda key: {"verdict": "clear"})
    assert [r["input"]["ref"] for r in results] == ["huge", "ok"]
    assert results[0]["match"] == "none" and results[0]["error"].startswith("huge: cannot be searched")
    assert results[1]["party"]["id"] == "csv:KLASSIK-AG" and results[1]["error"] is None
