"""Hostile files: each problem is a rejected record, or one line naming the file and its cause; the load
goes on with the rest, always writes its summary and its rejects file, and its exit code says how it went."""

from __future__ import annotations

import gzip
import json
import stat
from pathlib import Path

import pytest
from builders import ownergraph

from ownergraph.graph.model import PartyRecord, Provenance, RecordError
from ownergraph.loaders import files, formats, ftm, psc, values
from ownergraph.loaders.records import Reject
from ownergraph.loaders.sink import RejectsFile

GLEIF_HEAD = ('<?xml version="1.0" encoding="{encoding}"?>\n'
              '<lei:LEIData xmlns:lei="http://www.gleif.org/data/schema/leidata/2016"><lei:Header>'
              '<lei:ContentDate>2024-01-01T00:00:00Z</lei:ContentDate></lei:Header><lei:LEIRecords>')
GLEIF_RECORD = ('<lei:LEIRecord><lei:LEI>{lei}</lei:LEI><lei:Entity><lei:LegalName>{name}</lei:LegalName>'
                '<lei:LegalJurisdiction>DE</lei:LegalJurisdiction></lei:Entity></lei:LEIRecord>')
GLEIF_TAIL = "</lei:LEIRecords></lei:LEIData>"
PSC_LINE = {"company_number": "01234567", "data": {
    "kind": "individual-person-with-significant-control", "name": "Jane Doe", "etag": "e",
    "natures_of_control": ["ownership-of-shares-25-to-50-percent"],
    "links": {"self": "/company/01234567/persons-with-significant-control/individual/abc"}}}


def company(i: int | str, **properties) -> dict:
    return {"id": f"c{i}", "schema": "Company", "properties": {"name": [f"Company {i}"], **properties}}


def jsonl(path: Path, objects: list, opener=open) -> Path:
    with opener(path, "wt", encoding="utf-8") as out:
        for obj in objects:
            out.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
    return path


def read(path: Path, fmt: str | None = None) -> list:
    from ownergraph.loaders.reading import items

    return list(items(path, fmt or formats.detect(path)))


def rejected(out: list) -> list[Reject]:
    return [r for r in out if isinstance(r, Reject)]


def parties(out: list) -> list[PartyRecord]:
    return [r for r in out if isinstance(r, PartyRecord)]


def test_a_byte_that_is_not_utf8_rejects_its_csv_row_and_the_rest_loads(tmp_path):
    folder = tmp_path / "graph"
    folder.mkdir()
    (folder / "entities.csv").write_bytes(b"id,name,headquarters\nA,Alpha,DE\nB,M\xfcller GmbH,DE\nC,Gamma,FR\n")
    (folder / "ownership.csv").write_text("owner,owned,share\nA,C,60\n")
    out = list(formats.reader("csv")(folder))
    [bad] = rejected(out)
    assert bad.location == "line 3" and bad.reason.startswith("not UTF-8: byte 0xFC")
    assert [p.name for p in parties(out)] == ["Alpha", "Gamma"]
    assert len(out) == 4  # the stake of ownership.csv is read too


def test_a_truncated_gzip_gives_the_records_before_the_break_then_says_it_is_truncated(tmp_path):
    whole = gzip.compress("".join(json.dumps(company(i)) + "\n" for i in range(3000)).encode())
    path = tmp_path / "companies.ftm.json.gz"
    path.write_bytes(whole[:len(whole) // 2])
    out = read(path)
    assert len(parties(out)) > 100
    assert out[-1].location == "file" and "truncated" in out[-1].reason and str(path) in out[-1].source


def test_every_path_is_told_before_anything_is_read_and_a_bad_one_says_why(tmp_path):
    from ownergraph.loaders.reading import plan

    good = jsonl(tmp_path / "a.jsonl", [company(1)])
    notes = tmp_path / "notes.txt"
    notes.write_text("call the registry on Monday\n")
    named_gz = tmp_path / "b.json.gz"
    named_gz.write_text(json.dumps(company(2)))
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    short_gz = tmp_path / "short.json.gz"
    short_gz.write_bytes(gzip.compress(json.dumps(company(3)).encode())[:-12])
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Größe und Maß\n".encode("latin-1"))
    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes(json.dumps(company(4)).encode("utf-16-le"))
    planned, unreadable = plan([good, notes, named_gz, empty, short_gz, latin, utf16])
    assert planned == [(good, "ftm")]
    causes = {Path(r.source).name: r.reason for r in unreadable}
    assert "cannot tell its format" in causes["notes.txt"]
    assert "not a gzip file" in causes["b.json.gz"]
    assert "empty file" in causes["empty.json"]
    assert "truncated" in causes["short.json.gz"]
    assert "not UTF-8: byte 0xF6" in causes["latin.txt"]
    assert "UTF-16 without a byte-order mark" in causes["utf16.json"]
    assert all(r.location == "file" and str(tmp_path) in r.reason for r in unreadable)


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "utf16.jsonl"
    path.write_bytes("\n".join(json.dumps(company(i)) for i in range(3)).encode("utf-16"))
    assert [p.name for p in parties(read(path))] == ["Company 0", "Company 1", "Company 2"]


@pytest.mark.parametrize("shape", ["ftm lines", "psc lines", "ftm array", "bods objects", "gleif json"])
def test_json_nested_3000_levels_is_a_rejected_record(tmp_path, shape):
    deep = "[" * 3000 + "]" * 3000
    path = tmp_path / "deep.json"
    if shape == "ftm lines":
        jsonl(path, [company(1), json.dumps(company(2))[:-2] + f', "notes": {deep}}}}}', company(3)])
    elif shape == "psc lines":
        line = json.dumps(PSC_LINE)
        jsonl(path, [line, line[:-1] + f', "deep": {deep}}}', line])
    elif shape == "ftm array":
        path.write_text(f"[{json.dumps(company(1))}, {deep}, {json.dumps(company(3))}]")
    elif shape == "bods objects":
        entity = {"statementID": "s1", "statementType": "entityStatement", "entityType": "registeredEntity",
                  "name": "Alpha"}
        path.write_text("{\n" + json.dumps(entity)[1:] + "\n" + "{" + f'"deep": {deep}' + "}\n"
                        + json.dumps({**entity, "statementID": "s2", "name": "Beta"}, indent=1))
    else:
        record = {"LEI": "5493001KJTIIGC8Y1R12", "Entity": {"LegalName": "Alpha", "LegalJurisdiction": "DE"}}
        path.write_text(f"[{json.dumps(record)}, {{\"LEI\": {deep}}}, {json.dumps(record)}]")
    out = read(path)
    assert [r.reason for r in rejected(out)] == ["JSON nested too deeply"]
    assert len(parties(out)) >= 2  # the records after it are read


def test_xml_nested_200000_levels_is_read_and_its_declared_encoding_honoured(tmp_path):
    deep = ("<lei:LEIRecord><lei:LEI>5493001KJTIIGC8Y1R13</lei:LEI>" + "<x>" * 200_000 + "</x>" * 200_000
            + "</lei:LEIRecord>")
    path = tmp_path / "deep.xml"
    path.write_text(GLEIF_HEAD.format(encoding="UTF-8") + deep
                    + GLEIF_RECORD.format(lei="5493001KJTIIGC8Y1R12", name="Alpha") + GLEIF_TAIL)
    assert [p.identifiers[0] for p in parties(read(path))][-1] == "LEI:5493001KJTIIGC8Y1R12"
    latin = tmp_path / "latin.xml"
    latin.write_bytes((GLEIF_HEAD.format(encoding="ISO-8859-1") + GLEIF_RECORD.format(
        lei="5493001KJTIIGC8Y1R12", name="Café Müller AG") + GLEIF_TAIL).encode("latin-1"))
    assert [p.name for p in parties(read(latin))] == ["Café Müller AG"]


def test_a_record_longer_than_the_limit_is_rejected_and_the_next_is_read(tmp_path):
    long_line = json.dumps(company(2, notes=["x" * 5000]))
    lines = jsonl(tmp_path / "lines.jsonl", [company(1), long_line, company(3)])
    array = tmp_path / "array.json"
    array.write_text(f"[{json.dumps(company(1))}, {long_line}, {json.dumps(company(3))}]")
    token = files.record_limit.set(1000)
    try:
        for path in (lines, array):
            out = read(path)
            assert [r.reason for r in rejected(out)] == ["record too long: more than 1,000 characters"]
            assert [p.name for p in parties(out)] == ["Company 1", "Company 3"]
        out = read(Path("/dev/zero"), "ftm")  # no line break ever: read up to a bound, then given up
        assert out[-1].location == "file" and "the rest of the file is not read" in out[-1].reason
    finally:
        files.record_limit.reset(token)


def test_a_name_longer_than_1000_characters_is_rejected():
    from ownergraph.loaders.reading import bounded

    party = PartyRecord(("csv:A",), Provenance("entities.csv", "line 2"), name="A" * 50_000)
    out = bounded(party)
    assert isinstance(out, Reject) and out.reason == "name too long: 50,000 characters (at most 1,000)"
    assert bounded(PartyRecord(("csv:B",), Provenance("entities.csv", "line 3"), name="B" * 1000)).name


def test_a_party_restated_in_one_file_with_another_country_is_a_warning():
    from ownergraph.loaders.reading import Conflicts

    conflicts = Conflicts()
    conflicts.start_file()
    conflicts.check(PartyRecord(("csv:A",), Provenance("x/entities.csv", "line 2"), name="Alpha", headquarters="DE"))
    conflicts.check(PartyRecord(("csv:A",), Provenance("x/entities.csv", "line 7"), name="Alpha"))
    assert conflicts.count == 0
    conflicts.check(PartyRecord(("csv:A",), Provenance("x/entities.csv", "line 9"), name="Alpha", headquarters="CN"))
    assert conflicts.count == 1
    assert conflicts.examples == ["csv:A: headquarters differ between two records of x/entities.csv; the later "
                                  "(line 9) is kept"]


@pytest.mark.parametrize("text", ["1_0", "٥٠", "١٠"])
def test_shares_are_ascii_decimals_only(text):
    with pytest.raises(RecordError):
        values.share(text, None, None)
    with pytest.raises(RecordError):
        ftm.percentage(text)
    assert values.share("10", None, None).lo == 10 and ftm.percentage("10,5%").lo == 10.5


def test_the_rejects_file_is_readable_by_its_owner_only_and_keeps_undecodable_bytes(tmp_path):
    path = tmp_path / "rejects.csv"
    path.write_text("old\n")
    path.chmod(0o644)
    rejects = RejectsFile(path)
    rejects.write(Reject("latin.jsonl", "line 2", "not UTF-8: byte 0xE9 at character 10", '{"a":"caf\udce9"}'))
    rejects.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "caf\\udce9" in path.read_text()


def test_ftm_percentage_and_psc_stake_rejects_carry_their_record(tmp_path):
    ownership = {"id": "own1", "schema": "Ownership", "properties": {"owner": ["c1"], "asset": ["c2"],
                                                                     "percentage": ["lots"]}}
    [bad] = rejected(list(ftm.read(jsonl(tmp_path / "o.jsonl", [company(1), company(2), ownership]))))
    assert "bad percentage" in bad.reason and json.loads(bad.raw)["id"] == "own1"
    line = json.loads(json.dumps(PSC_LINE))
    line["data"]["natures_of_control"] = ["ownership-of-cheese"]
    [bad] = rejected(list(psc.read(jsonl(tmp_path / "psc.jsonl", [line]))))
    assert "unknown nature of control" in bad.reason and json.loads(bad.raw)["name"] == "Jane Doe"


# end to end: `ownergraph load` against the real Neo4j


@pytest.fixture
def cleared(store, neo4j_server):
    store.clear()
    return neo4j_server


def load(server, tmp_path: Path, *args: str):
    rejects = tmp_path / "rejects.csv"
    done = ownergraph(server, "load", *args, "--rejects", str(rejects), "--no-quality", check=False)
    return done, rejects


def test_load_exit_codes(cleared, store, tmp_path):
    good = jsonl(tmp_path / "good.jsonl", [company(i) for i in range(3)])
    done, _ = load(cleared, tmp_path, str(good))
    assert done.returncode == 0 and "parties: 3 new" in done.stdout
    some_bad = jsonl(tmp_path / "some-bad.jsonl", [company(7), "{not json"])
    done, rejects = load(cleared, tmp_path, str(some_bad))
    assert done.returncode == 1 and "rejected: 1" in done.stdout and rejects.exists()
    done, _ = load(cleared, tmp_path, str(good), "--format", "bods")
    assert done.returncode == 2 and "rejected: 3" in done.stdout  # nothing loaded


def test_an_unreadable_path_among_several_is_named_and_the_others_load(cleared, store, tmp_path):
    first = jsonl(tmp_path / "a.jsonl", [company(1)])
    second = jsonl(tmp_path / "b.jsonl", [company(2)])
    notes = tmp_path / "notes.txt"
    notes.write_text("not a registry file\n")
    done, rejects = load(cleared, tmp_path, str(first), str(second), str(notes))
    assert done.returncode == 2
    [error] = [line for line in done.stderr.splitlines() if line.strip()]
    assert error.startswith("error: ") and "notes.txt" in error and "cannot tell its format" in error
    assert "parties: 2 new" in done.stdout and store.counts()["parties"] == 2
    assert "notes.txt" in rejects.read_text()


def test_a_latin1_byte_late_in_a_csv_and_a_truncated_gzip_end_in_a_summary(cleared, store, tmp_path):
    folder = tmp_path / "graph"
    folder.mkdir()
    rows = [f"P{i},Party {i},DE" for i in range(6200)]
    rows[6000] = "P6000,M\xfcller,DE"
    (folder / "entities.csv").write_bytes(("id,name,headquarters\n" + "\n".join(rows) + "\n").encode("latin-1"))
    (folder / "ownership.csv").write_text("owner,owned,share\nP1,P2,60\nP3,P4,70\n")
    whole = gzip.compress("".join(json.dumps(company(i)) + "\n" for i in range(3000)).encode())
    truncated = tmp_path / "cut.ftm.json.gz"
    truncated.write_bytes(whole[:len(whole) // 2])
    done, rejects = load(cleared, tmp_path, str(folder), str(truncated))
    assert done.returncode == 2 and "Aborted" not in done.stdout + done.stderr
    assert "cut.ftm.json.gz" in done.stderr and "truncated" in done.stderr
    assert "parties: " in done.stdout and "interests: 2 new" in done.stdout
    assert "line 6002" in rejects.read_text() and "not UTF-8" in rejects.read_text()


def test_a_party_restated_with_another_country_warns_in_the_summary(cleared, tmp_path):
    folder = tmp_path / "graph"
    folder.mkdir()
    (folder / "entities.csv").write_text("id,name,headquarters\nA,Alpha,DE\nB,Beta,FR\nA,Alpha,CN\n")
    done, _ = load(cleared, tmp_path, str(folder))
    assert done.returncode == 0
    assert "warning: 1 parties stated again in the same file" in done.stdout and "csv:A" in done.stdout
