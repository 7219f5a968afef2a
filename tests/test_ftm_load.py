"""Loading FollowTheMoney entities (the KEK media-ownership network, OpenSanctions-style exports) into Neo4j."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import shared_data
from dated_lists import CASES, expect, verdicts

from ownergraph.graph.share import Share
from ownergraph.loaders import ftm
from ownergraph.loaders.run import load


def kek() -> Path:
    return shared_data("ftm", "followthemoney", "derived", "kek.ftm.jsonl")


def write_lines(path: Path, lines: list) -> Path:
    """A JSON lines file; a str line is written as it is (for broken lines)."""
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def query(store, cypher: str, **params) -> list[dict]:
    return [r.data() for r in store.driver.execute_query(cypher, params).records]


def holdings(store, owner: str, owned: str) -> list[dict]:
    """The interests between two parties named so in the store."""
    return query(store, """
        MATCH (o:Party {name: $owner})-[s:INTEREST]->(y:Party {name: $owned})
        RETURN s.type AS type, s.share_min AS share_min, s.share_max AS share_max, s.lo AS lo, s.hi AS hi""",
                 owner=owner, owned=owned)


def party(store, identifier: str) -> dict | None:
    rows = query(store, "MATCH (:Identifier {id: $id})-[:IDENTIFIES]->(p:Party) RETURN p", id=identifier)
    return rows[0]["p"] if rows else None


@pytest.fixture(scope="module")
def kek_loaded(store, tmp_path_factory):
    store.clear()
    rejects = tmp_path_factory.mktemp("kek") / "rejects.csv"
    summary = load(store, [kek()], rejects=rejects, show_progress=False)  # format told from the content
    return summary, store.counts()


def test_the_kek_network_loads_whole(kek_loaded):
    summary, counts = kek_loaded
    # 2,705 companies; 2,902 Ownership entities state 2,904 holdings (two merge a mutual holding each)
    assert (counts["parties"], counts["interests"]) == (2705, 2904)
    assert summary.rejected_total == 0


def test_the_kek_cycles_are_in_the_graph(store, kek_loaded):
    # mutual holdings: each one FtM Ownership naming both directions
    def shares(owner: str, owned: str) -> list[tuple[float, float]]:
        return [(h["share_min"], h["share_max"]) for h in holdings(store, owner, owned)]

    assert shares("Constantin Medien AG", "Highlight Communications AG") == [(47.3, 47.3)]
    assert shares("Highlight Communications AG", "Constantin Medien AG") == [(8.7, 8.7)]
    assert shares("News America, Inc.", "News Publishing Australia Ltd.") == [(1.41, 1.41)]
    assert shares("News Publishing Australia Ltd.", "News America, Inc.") == [(100.0, 100.0)]
    # treasury shares: NRJ Group holds 1.81% of itself, stored (the semantics ignore it)
    assert shares("NRJ Group S.A.", "NRJ Group S.A.") == [(1.81, 1.81)]
    # a cycle of three
    rows = query(store, """
        MATCH p = (a:Party {name: 'Rheinisch-Bergische Verlagsgesellschaft mbH'})-[:INTEREST*3]->(a)
        RETURN [n IN nodes(p) | n.name] AS names""")
    assert ["Rheinisch-Bergische Verlagsgesellschaft mbH", "Rheinische Post Verlagsgesellschaft mbH",
            "Verlag W. Girardet KG", "Rheinisch-Bergische Verlagsgesellschaft mbH"] in [r["names"] for r in rows]


def test_percentages_are_kept_exactly(store, kek_loaded):
    # "3.4": Burgener, Bernhard -> Highlight Communications AG
    stakes = [s for s in ftm.read(kek()) if getattr(s, "provenance", None)
              and s.provenance.record == "074908ae9ade2da0b7f62ff143f0e12bec2e3db7"]
    assert [s.share for s in stakes] == [Share(Decimal("3.4"), Decimal("3.4"))]
    [stored] = holdings(store, "Burgener, Bernhard", "Highlight Communications AG")
    assert (stored["lo"], stored["hi"]) == Share.exact(Decimal("3.4")).encode()
    # 47 KEK holdings give no percentage: undisclosed, 0-100
    rows = query(store, "MATCH ()-[s:INTEREST]->() WHERE s.share_min = 0.0 AND s.share_max = 100.0 "
                        "RETURN count(s) AS n")
    assert rows[0]["n"] == 47


def test_percentage_words_ranges_and_bounds():
    assert ftm.percentage("25%") == Share.exact(Decimal(25))
    assert ftm.percentage("21,88") == Share.exact(Decimal("21.88"))
    assert ftm.percentage("25-50") == Share(Decimal(25), Decimal(50))
    assert ftm.percentage("more than 25%") == Share(Decimal(25), Decimal(100), lo_open=True)
    assert ftm.percentage("<10") == Share(Decimal(0), Decimal(10), hi_open=True)
    assert ftm.share_of(["40", "45.5"]) == Share(Decimal(40), Decimal("45.5"))


def sanctions_export() -> list[dict]:
    """OpenSanctions-style entities: an SDN, its holdings, an Entity List company, a linked one, others."""
    return [
        {"id": "ofac-1", "schema": "Company", "caption": "Dragon Trading LLC",
         "properties": {"name": ["Dragon Trading LLC"], "jurisdiction": ["ru"], "topics": ["sanction"],
                        "leiCode": ["529900T8BM49AURSDO55"]},
         "datasets": ["us_ofac_sdn"], "referents": ["ofac-old-1"], "last_change": "2024-05-01T10:00:00"},
        {"id": "sub-1", "schema": "Company",
         "properties": {"name": ["Dragon Shipping Ltd"], "jurisdiction": ["gb"], "registrationNumber": ["1234567"],
                        "country": ["gb"], "topics": ["sanction.linked"]},
         "datasets": ["us_ofac_sdn"]},
        {"id": "own-1", "schema": "Ownership",
         "properties": {"owner": ["ofac-old-1"], "asset": ["sub-1"], "percentage": ["60"], "startDate": ["2021-03"]}},
        {"id": "csl-1", "schema": "Organization",
         "properties": {"name": ["Huawei Cloud Example"], "mainCountry": ["cn"], "country": ["cn", "hk"],
                        "topics": ["sanction"]},
         "datasets": ["us_trade_csl"]},
        {"id": "csl-1-sanction", "schema": "Sanction",
         "properties": {"entity": ["csl-1"], "authority": ["Entity List (EL) - Bureau of Industry and Security"]},
         "datasets": ["us_trade_csl"]},
        {"id": "pep-1", "schema": "Person",
         "properties": {"name": ["Ivan Example"], "nationality": ["ru"], "citizenship": ["cy"],
                        "topics": ["role.pep"]},
         "datasets": ["ru_pep_example"]},
        {"id": "dir-1", "schema": "Directorship", "properties": {"director": ["pep-1"], "organization": ["sub-1"]}},
        {"id": "own-2", "schema": "Ownership",
         "properties": {"owner": ["pep-1"], "asset": ["sub-1"], "percentage": ["25-40"],
                        "ownershipType": ["indirect"]}},
    ]


def test_an_opensanctions_entity_lands_on_its_lists(store, tmp_path):
    store.clear()
    path = write_lines(tmp_path / "export.ftm.json", sanctions_export())
    summary = load(store, [path], rejects=tmp_path / "r.csv", show_progress=False)
    assert summary.rejected_total == 0
    sdn = party(store, "ftm:ofac-1")
    assert sdn["lists"] == ["ofac-sdn"] and sdn["jurisdiction"] == "RU"
    assert party(store, "LEI:529900T8BM49AURSDO55")["key"] == sdn["key"]
    linked = party(store, "ftm:sub-1")
    assert linked.get("lists", []) == []  # sanction.linked: found by the computation, not a seed by assertion
    assert party(store, "GB-COH:01234567")["key"] == linked["key"]  # meets PSC and GLEIF data on that company
    assert (linked["headquarters"], linked["country"]) == ("GB", "GB")
    csl = party(store, "ftm:csl-1")
    assert sorted(csl["lists"]) == ["bis-entity-list", "us-csl"] and csl["headquarters"] == "CN"
    pep = party(store, "ftm:pep-1")
    assert (pep["kind"], sorted(pep["nationalities"]), pep.get("lists", [])) == ("person", ["CY", "RU"], [])
    rows = query(store, """
        MATCH (o:Party)-[s:INTEREST]->(:Party {key: 'ftm:sub-1'})
        RETURN o.key AS owner, s.type AS type, s.share_min AS lo, s.share_max AS hi, s.counted AS counted,
               s.declares AS declares, s.start AS start ORDER BY owner""")
    assert [(r["owner"], r["type"], r["lo"], r["hi"], r["counted"], r["declares"]) for r in rows] == [
        ("ftm:ofac-1", "shareholding", 60.0, 60.0, True, None),  # named through a referent id
        ("ftm:pep-1", "shareholding", 25.0, 40.0, False, "indirect"),
    ]
    assert rows[0]["start"].to_native() == date(2021, 3, 1)
    # the directorship of pep-1 in sub-1 is a role, not an interest: only the two holdings are there


def test_a_company_sixty_percent_owned_by_an_sdn_is_restricted_under_ofac_50(store, tmp_path):
    from ownergraph.graph.evaluate import verdict

    store.clear()
    load(store, [write_lines(tmp_path / "export.ftm.json", sanctions_export())], fmt="ftm",
         rejects=tmp_path / "r.csv", show_progress=False)
    result = verdict(store, "ftm:sub-1", "ofac-50", as_of=date(2024, 6, 1))
    assert (result.verdict, result.reason, result.restricted_share.min) == ("restricted", "ownership", 60.0)


def test_a_truncated_file_loads_its_valid_prefix_and_rejects_the_break(store, tmp_path):
    store.clear()
    lines = kek().read_text(encoding="utf-8").splitlines()
    prefix = [json.loads(line) for line in lines[:2000]]
    bad_share = {"id": "bad-share", "schema": "Ownership",
                 "properties": {"owner": [prefix[0]["id"]], "asset": [prefix[1]["id"]], "percentage": ["lots"]}}
    no_schema = {"id": "x", "properties": {}}
    broken = lines[2000][: len(lines[2000]) // 2]
    path = write_lines(tmp_path / "kek-cut.ftm.jsonl", prefix + [bad_share, no_schema, broken])
    rejects = tmp_path / "rejects.csv"
    summary = load(store, [path], fmt="ftm", rejects=rejects, show_progress=False)

    companies = {e["id"] for e in prefix if e["schema"] == "Company"}
    pairs = [(o, a) for e in prefix if e["schema"] == "Ownership"
             for o, a in zip(e["properties"]["owner"], e["properties"]["asset"])]
    inside = [p for p in pairs if p[0] in companies and p[1] in companies]
    counts = store.counts()
    assert (counts["parties"], counts["interests"]) == (len(companies), len(inside))
    found = list(csv.DictReader(rejects.open()))
    by_location = {r["location"]: r["reason"] for r in found}
    assert by_location["line 2001"].startswith("bad percentage: 'lots'")
    assert by_location["line 2002"].startswith("not an FtM entity")
    assert by_location["line 2003"].startswith("malformed JSON")
    unknown = [r for r in found if r["reason"].startswith("unknown party")]
    assert len(unknown) == len(pairs) - len(inside)  # holdings whose parties lie beyond the break
    assert summary.rejected_total == 3 + len(unknown)


def dated_sanction(start: str | None, end: str | None, **extra) -> list[dict]:
    """An SDN listed by a Sanction entity for a period, and a company it holds 60% of."""
    period = {k: [v] for k, v in (("startDate", start), ("endDate", end)) if v}
    return [
        {"id": "l-1", "schema": "Company", "properties": {"name": ["Listed Co"], "jurisdiction": ["ru"]}},
        {"id": "s-1", "schema": "Company", "properties": {"name": ["Held Co"], "jurisdiction": ["gb"]}},
        {"id": "own-l-s", "schema": "Ownership",
         "properties": {"owner": ["l-1"], "asset": ["s-1"], "percentage": ["60"]}},
        {"id": "l-1-sanction", "schema": "Sanction",
         "properties": {"entity": ["l-1"], "authority": ["OFAC Specially Designated Nationals"], **period,
                        **extra}},
    ]


@pytest.mark.parametrize(("start", "end", "as_of", "listed", "held"), CASES)
def test_a_sanction_lists_its_entity_for_its_period_only(store, tmp_path, start, end, as_of, listed, held):
    """A Sanction's startDate and endDate bound the membership: as of a date, on every engine."""
    path = write_lines(tmp_path / "dated.ftm.json", dated_sanction(start, end))
    assert verdicts(store, path, tmp_path, "ftm:l-1", as_of) == expect(listed)
    assert verdicts(store, path, tmp_path, "ftm:s-1", as_of) == expect(held)


def test_an_ended_sanction_without_an_end_date_lists_no_one_and_one_with_its_end_keeps_it(store, tmp_path):
    ended = write_lines(tmp_path / "ended.ftm.json", dated_sanction("2018-01-01", None, status=["delisted"]))
    assert verdicts(store, ended, tmp_path, "ftm:s-1", date(2020, 6, 1)) == expect("clear")
    dated = write_lines(tmp_path / "dated.ftm.json",
                        dated_sanction(None, "2022-01-01", status=["delisted"], listingDate=["2018-01-01"]))
    assert verdicts(store, dated, tmp_path, "ftm:s-1", date(2020, 6, 1)) == expect("restricted")
    assert verdicts(store, dated, tmp_path, "ftm:s-1", date(2017, 6, 1)) == expect("clear")


def test_dates_that_do_not_exist_reject_the_record(store, tmp_path):
    """The library cleans 2019-02-30 away; an 80% stake ended in 2019 must not load as one in force."""
    lines = dated_sanction("2018-01-01", "2019-02-30")
    lines[2]["properties"]["endDate"] = ["2019-02-30"]
    lines.append({"id": "own-2", "schema": "Ownership",
                  "properties": {"owner": ["l-1"], "asset": ["s-1"], "percentage": ["10"],
                                 "startDate": ["2024-02-30"]}})
    store.clear()
    rejects = tmp_path / "r.csv"
    summary = load(store, [write_lines(tmp_path / "bad.ftm.json", lines)], rejects=rejects, show_progress=False)
    found = {r["location"]: r["reason"] for r in csv.DictReader(rejects.open())}
    assert summary.rejected_total == 3 and store.counts()["interests"] == 0
    assert found["line 3"] == "bad endDate: '2019-02-30' is not an ISO 8601 date"
    assert found["line 4"] == "bad endDate: '2019-02-30' is not an ISO 8601 date"
    assert found["line 5"] == "bad startDate: '2024-02-30' is not an ISO 8601 date"


def test_the_source_url_of_an_ownership_is_kept_as_its_provenance(store, tmp_path):
    lines = dated_sanction(None, None)
    lines[2]["properties"]["sourceUrl"] = ["https://registry.example/filings/42"]
    store.clear()
    load(store, [write_lines(tmp_path / "url.ftm.json", lines)], rejects=tmp_path / "r.csv", show_progress=False)
    rows = query(store, "MATCH (pv:Provenance {record: 'own-l-s'}) RETURN pv.url AS url")
    assert rows == [{"url": "https://registry.example/filings/42"}]
