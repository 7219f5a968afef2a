"""Loading the UK PSC snapshot (Companies House) into a real Neo4j."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import shared_data

from ownergraph.graph.share import HUNDRED
from ownergraph.loaders.psc_natures import NATURES
from ownergraph.loaders.run import load

TOTALS = "totals#persons-of-significant-control-snapshot"


def fixtures() -> list[Path]:
    folder = shared_data("uk-psc", "bods-uk-psc-pipeline", "tests", "fixtures")
    return sorted(folder.glob("psc-data-*.json"), key=lambda p: int(re.search(r"(\d+)", p.name).group(1)))


def lines_of(path: Path) -> list[dict]:
    data = json.loads(path.read_text())
    return data if isinstance(data, list) else [data]


def write_lines(path: Path, lines: list) -> Path:
    """A JSON lines file; a str line is written as it is (for broken lines)."""
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def query(store, cypher: str, **params) -> list[dict]:
    return [r.data() for r in store.driver.execute_query(cypher, params).records]


def party(store, identifier: str) -> dict | None:
    rows = query(store, "MATCH (:Identifier {id: $id})-[:IDENTIFIES]->(p:Party) RETURN p", id=identifier)
    return rows[0]["p"] if rows else None


def interests(store, record: str) -> list[dict]:
    return query(store, """
        MATCH (o:Party)-[s:INTEREST]->(y:Party) WHERE $record IN s.records
        RETURN o.key AS owner, y.key AS owned, s.type AS type, s.share_min AS share_min, s.min_open AS min_open,
               s.share_max AS share_max, s.max_open AS max_open, s.start AS start, s.end AS end""", record=record)


def psc_record(company: str, kind: str, psc: str) -> str:
    """A PSC's links.self, the record id of its interests."""
    return f"/company/{company}/persons-with-significant-control/{kind}/{psc}"


def psc_id(line: dict) -> str:
    return "GB-PSC:" + line["data"]["links"]["self"].rsplit("/", 1)[-1]


@pytest.fixture
def loaded(store, tmp_path):
    """Every PSC fixture file loaded into an empty store (format detected from the content), the summary."""
    store.clear()
    rejects = tmp_path / "loaded-rejects.csv"
    summary = load(store, fixtures(), rejects=rejects, show_progress=False)
    return summary, rejects


def test_every_fixture_loads_and_every_kind_is_stored_or_rejected(store, loaded):
    summary, rejects = loaded
    rejected = list(csv.DictReader(rejects.open())) if rejects.exists() else []
    rejected_at = {(r["source"], r["location"]) for r in rejected}
    kinds_seen: Counter = Counter()
    kinds_accounted: Counter = Counter()
    for path in fixtures():
        for index, line in enumerate(lines_of(path)):
            kind = line["data"]["kind"]
            kinds_seen[kind] += 1
            if kind == TOTALS:  # the snapshot's trailer counts the other lines; it is no record
                kinds_accounted[kind] += 1
                continue
            if (path.name, f"item {index}") in rejected_at:
                kinds_accounted[kind] += 1
                continue
            record = line["data"]["links"]["self"]
            company = party(store, "GB-COH:" + line["company_number"].zfill(8))
            assert company is not None, f"{path.name}: company of a {kind} line is missing"
            assert f"uk-psc:{path.name}#{record}" in company["sources"]
            if kind == "persons-with-significant-control-statement":
                code = "PSC_STATEMENT:" + line["data"]["statement"]
                assert (code in company.get("reporting_exceptions", [])) == ("ceased_on" not in line["data"])
            else:
                owner = party(store, psc_id(line))
                assert owner is not None, f"{path.name}: the {kind} is not stored"
                natures = line["data"].get("natures_of_control", [])
                expected = {NATURES[code].interest for code in natures} or {"unknown-interest"}
                assert {i["type"] for i in interests(store, record)} == expected, f"{path.name}: {kind}"
            kinds_accounted[kind] += 1
    assert kinds_accounted == kinds_seen
    # seven kinds of record, PSCs and overseas entities' beneficial owners alike, and the trailer
    assert set(kinds_seen) == {
        "individual-person-with-significant-control", "corporate-entity-person-with-significant-control",
        "legal-person-person-with-significant-control", "super-secure-person-with-significant-control",
        "persons-with-significant-control-statement", "corporate-entity-beneficial-owner",
        "legal-person-beneficial-owner", TOTALS,
    }
    assert summary.rejected_total == 0
    # 18 companies with PSC lines and 18 PSCs, two of them UK companies met by number (03530981, 00686734);
    # 31 interests: one per interest type of each PSC
    counts = store.counts()
    assert (counts["parties"], counts["interests"]) == (36, 31)


def test_bands_are_stored_with_exclusive_lower_ends(store, loaded):
    # Michael Stanley Bunyan: ownership-of-shares-25-to-50-percent, "more than 25% but not more than 50%"
    [stake] = interests(store, psc_record("03136191", "individual", "55y0_U-Q2wwTXDXh6mmo0BJPpM8"))
    assert (stake["share_min"], stake["min_open"], stake["share_max"], stake["max_open"]) == (25.0, True, 50.0, False)
    # Wpp Rocky Ltd: 75-to-100 of the shares and 25-to-50 of the votes, two interests
    rows = interests(store, psc_record("06452920", "corporate-entity", "wvnck5c6qyZHeG02DZYH-0_dGYM"))
    bands = {r["type"]: (r["share_min"], r["min_open"], r["share_max"], r["max_open"]) for r in rows}
    assert bands == {"shareholding": (75.0, True, 100.0, False), "voting-rights": (25.0, True, 50.0, False)}
    # an overseas entity's beneficial owner: "more than 25%"
    rows = interests(store, psc_record("OE031044", "legal-person-beneficial-owner", "28NaTOioatSpvI7hNY3qz_fKYoI"))
    assert [(r["type"], r["share_min"], r["min_open"], r["share_max"]) for r in rows] == [
        ("shareholding", 25.0, True, 100.0)]
    # rights without a percentage are undisclosed shares
    rows = interests(store, psc_record("04120481", "corporate-entity", "m5XNR_-nKtmMDh9BkcfpD7Pzkic"))
    board = [r for r in rows if r["type"] == "appointment-of-board"]
    assert [(r["share_min"], r["share_max"]) for r in board] == [(0.0, 100.0)]


def test_a_ceased_psc_interest_ends_on_its_ceased_date(store, loaded):
    # Karol Kuczkowski, notified 2016-08-02, ceased 2018-02-27, four natures of control
    rows = interests(store, psc_record("10308742", "individual", "w4N_sH7yjfQmrQl93tx5yu7WW50"))
    assert len(rows) == 4
    assert {(r["start"].to_native(), r["end"].to_native()) for r in rows} == {(date(2016, 8, 2), date(2018, 2, 27))}
    person = party(store, "GB-PSC:w4N_sH7yjfQmrQl93tx5yu7WW50")
    assert person["kind"] == "person" and person["nationalities"] == ["PL"]
    assert "country of residence: Poland" in person["addresses"]


def test_the_super_secure_psc_is_an_undisclosed_party(store, loaded):
    marker = "PSC_SUPER_SECURE:super-secure-persons-with-significant-control"
    secret = party(store, "GB-PSC:NcZQQA0LMrXYV1u0fGRHLrGIL_I")
    assert secret["kind"] == "unknown" and secret.get("name") is None
    assert marker in secret["reporting_exceptions"]
    company = party(store, "GB-COH:02443921")
    assert marker in company["reporting_exceptions"]
    rows = interests(store, psc_record("02443921", "super-secure", "NcZQQA0LMrXYV1u0fGRHLrGIL_I"))
    assert [(r["owned"], r["type"], r["share_min"], r["share_max"]) for r in rows] == [
        ("GB-COH:02443921", "unknown-interest", 0.0, 100.0)]


def test_a_chinese_state_body_psc_is_an_organisation_of_china(store, loaded):
    safe = party(store, "GB-PSC:I9Y9flc5ndlcZRtXPL03fjn2hDo")
    assert safe["name"] == "State Administration Of Foreign Exchange"
    facts = (safe["kind"], safe["jurisdiction"], safe["headquarters"], safe["country"])
    assert facts == ("public-body", "CN", "CN", "CN")
    czech = party(store, "GB-PSC:28NaTOioatSpvI7hNY3qz_fKYoI")
    assert (czech["kind"], czech["country"]) == ("state", "CZ")


def test_a_company_held_by_a_chinese_state_body_is_restricted(store, loaded):
    from ownergraph.graph.evaluate import verdict

    result = verdict(store, "GB-COH:07102351", "cn-majority", as_of=date(2024, 12, 1))
    assert result.verdict == "restricted" and result.reason == "ownership"
    assert result.restricted_share.min == 75.0


def test_a_corporate_psc_registered_at_companies_house_meets_that_company(store, loaded, tmp_path):
    # Clientlogic Holding Limited, "England And Wales", "Companies House", 03530981, controls 04120481
    holding = party(store, "GB-COH:03530981")
    assert holding is not None and holding["name"] == "Clientlogic Holding Limited"
    assert party(store, "GB-PSC:m5XNR_-nKtmMDh9BkcfpD7Pzkic")["key"] == holding["key"]
    # Robert Hitchins Limited: "England & Wales", "Companies House Cardiff", 00686734
    assert party(store, "GB-COH:00686734")["name"] == "Robert Hitchins Limited"
    # a US insurer with a US number stays a party of its own, jurisdiction from "Minnesota, Usa"
    insurer = party(store, "GB-PSC:YIVGZxjcS8tcf-5WdYZBtTTW-so")
    assert insurer["key"] == "GB-PSC:YIVGZxjcS8tcf-5WdYZBtTTW-so" and insurer["jurisdiction"] == "US"
    assert query(store, "MATCH (i:Identifier)-[:IDENTIFIES]->(:Party {key: $k}) RETURN collect(i.id) AS ids",
                 k=insurer["key"])[0]["ids"] == [insurer["key"]]

    # a later snapshot line in which 03530981 has a PSC of its own extends the same chain
    line = {"company_number": "3530981", "data": {
        "kind": "individual-person-with-significant-control", "name": "Ms Test Holder", "nationality": "Chinese",
        "natures_of_control": ["ownership-of-shares-50-to-75-percent"], "notified_on": "2017-01-01",
        "links": {"self": "/company/03530981/persons-with-significant-control/individual/testholder"}}}
    path = write_lines(tmp_path / "persons-with-significant-control-snapshot-2024-12-01.txt", [line])
    load(store, [path], fmt="psc", rejects=tmp_path / "r.csv", show_progress=False)
    chain = query(store, """
        MATCH (:Identifier {id: 'GB-PSC:testholder'})-[:IDENTIFIES]->(p:Party)-[:INTEREST]->(h:Party)
              -[:INTEREST {type: 'shareholding'}]->(c:Party {key: 'GB-COH:04120481'})
        RETURN p.nationalities AS nationalities, h.key AS holding""")
    assert chain == [{"nationalities": ["CN"], "holding": holding["key"]}]


def test_statements_and_exemptions_are_kept_on_the_company(store, tmp_path):
    store.clear()
    synthetic = shared_data("uk-psc", "register-sources-psc", "spec", "fixtures")
    lines = [json.loads((synthetic / f"psc_{name}.json").read_text())
             for name in ("statement", "exemptions", "individual", "totals")]
    lines[2]["company_number"] = "7654321"  # the individual's company, apart from the statement's
    path = write_lines(tmp_path / "synthetic.jsonl", lines)
    summary = load(store, [path], fmt="psc", rejects=tmp_path / "r.csv", show_progress=False)
    assert summary.rejected_total == 0
    company = party(store, "GB-COH:01234567")
    assert set(company["reporting_exceptions"]) == {
        "PSC_STATEMENT:no-individual-or-entity-with-signficant-control",
        "PSC_EXEMPTION:psc-exempt-as-shares-admitted-on-market"}
    # a person named only by name elements, British, resident in the United Kingdom
    joe = party(store, "GB-PSC:abcdef123456789")
    assert (joe["name"], joe["nationalities"]) == ("Joe Bloggs", ["GB"])


def test_broken_and_truncated_lines_are_rejected_and_the_rest_loads(store, tmp_path):
    store.clear()
    good = [line for path in fixtures()[:3] for line in lines_of(path) if line["data"]["kind"] != TOTALS]
    unknown = json.loads((shared_data("uk-psc", "register-sources-psc", "spec", "fixtures")
                          / "psc_unknown_kind.json").read_text())
    unknown["company_number"] = "99999999"
    no_number = {"data": {"kind": "individual-person-with-significant-control"}}
    bad_nature = json.loads(json.dumps(good[0]))
    bad_nature["data"]["natures_of_control"] = ["ownership-of-shares-75-to-100-percent", "owns-the-moon"]
    bad_date = json.loads(json.dumps(good[2]))
    bad_date["data"]["notified_on"] = "06/04/2016"
    truncated = json.dumps(good[3])[:120]
    broken = '{"company_number": "0000'
    lines = [good[0], good[1], broken, unknown, no_number, bad_nature, bad_date, good[2], truncated]
    rejects = tmp_path / "rejects.csv"
    summary = load(store, [write_lines(tmp_path / "snapshot.txt", lines)], fmt="psc", rejects=rejects,
                   show_progress=False)
    found = {r["location"]: r["reason"] for r in csv.DictReader(rejects.open())}
    assert set(found) == {"line 3", "line 4", "line 5", "line 6", "line 7", "line 9"}
    assert found["line 3"].startswith("malformed JSON") and found["line 9"].startswith("malformed JSON")
    assert "unknown PSC kind" in found["line 4"]
    assert "no company_number" in found["line 5"]
    assert "unknown nature of control: 'owns-the-moon'" in found["line 6"]
    assert "notified_on" in found["line 7"] and "ISO 8601" in found["line 7"]
    assert summary.rejected_total == 6
    # the good lines (and the known nature of line 6) are loaded
    assert party(store, "GB-PSC:FReSTxwXcJbAHBrerDpmTylkW48")["name"] == "Mr Marc Anthony Feldman"
    assert party(store, psc_id(good[2])) is not None
    assert store.counts()["interests"] == 1 + 2  # Feldman's shares; Saunders's shares and votes (line 8)


def test_loading_twice_changes_no_counts(store, tmp_path):
    store.clear()
    load(store, fixtures(), fmt="psc", rejects=tmp_path / "r1.csv", show_progress=False)
    once = store.counts()
    again = load(store, fixtures(), fmt="psc", rejects=tmp_path / "r2.csv", show_progress=False)
    assert store.counts() == once
    assert again.parties_new == 0 and again.interests_new == 0


def test_every_nature_of_control_in_the_code_list_is_mapped_with_the_band_its_words_give():
    codes = yaml.safe_load(shared_data("uk-psc", "api-enumerations", "psc_descriptions.yml").read_text())
    descriptions = codes["description"]
    assert set(descriptions) == set(NATURES)
    for code, words in descriptions.items():
        share = NATURES[code].share
        if m := re.search(r"more than (\d+)% but not more than (\d+)%", words):
            expected = (Decimal(m[1]), True, Decimal(m[2]), False)
        elif m := re.search(r"more than (\d+)%", words):
            expected = (Decimal(m[1]), True, HUNDRED, False)
        elif m := re.search(r"(\d+)% or more", words):
            expected = (Decimal(m[1]), False, HUNDRED, False)
        else:
            expected = (Decimal(0), False, HUNDRED, False)
        assert (share.lo, share.lo_open, share.hi, share.hi_open) == expected, code
        kind = NATURES[code].interest
        if code.startswith("ownership-of-shares"):
            assert kind == "shareholding"
        elif code.startswith("voting-rights"):
            assert kind == "voting-rights"
        elif code.startswith("right-to-appoint"):
            assert kind == "appointment-of-board"
        elif code.startswith("significant-influence"):
            assert kind == "other-influence-or-control"
