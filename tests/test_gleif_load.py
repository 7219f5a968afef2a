"""Loading GLEIF Level 1, Level 2 and reporting exceptions into a real Neo4j, from the real fixtures."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import SHARED_DATA, missing, shared_data

from ownergraph.graph.consolidation import ultimate_parents
from ownergraph.graph.disclosure import describe_exception
from ownergraph.graph.model import PartyRecord
from ownergraph.loaders import gleif
from ownergraph.loaders.records import Reject
from ownergraph.loaders.run import load

CHILD, MIDDLE, TOP = "98450051BS9C610A8T78", "2138002YAB7Z9KO21397", "984500501A1B1045PB30"


@pytest.fixture(scope="module")
def fixtures() -> Path:
    return shared_data("gleif", "bodspipelines", "tests", "fixtures")


def gleif_files(folder: Path) -> list[Path]:
    """The GLEIF data files (the *-out.json files beside them are BODS statements made from them)."""
    return sorted(p for p in folder.iterdir() if p.suffix in (".xml", ".json") and "-out" not in p.name)


def run(store, paths, tmp_path, name="rejects.csv", fmt="gleif"):
    return load(store, list(paths), fmt=fmt, rejects=tmp_path / name, show_progress=False)


def party(store, lei: str) -> dict | None:
    rows = store.driver.execute_query(
        "MATCH (:Identifier {id: $id})-[:IDENTIFIES]->(p:Party) RETURN properties(p) AS p", id=f"LEI:{lei}").records
    return rows[0]["p"] if rows else None


def interests(store, owner: str, owned: str) -> list[dict]:
    rows = store.driver.execute_query(
        "MATCH (:Identifier {id: $o})-[:IDENTIFIES]->(:Party)-[s:INTEREST]->(:Party)<-[:IDENTIFIES]-"
        "(:Identifier {id: $y}) RETURN properties(s) AS s ORDER BY s.key", o=f"LEI:{owner}", y=f"LEI:{owned}").records
    return [r["s"] for r in rows]


def rejects_of(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open())) if path.exists() else []


def test_every_gleif_file_loads_without_a_reject(store, fixtures, tmp_path):
    store.clear()
    files = gleif_files(fixtures)
    assert len(files) == 23
    per_file = {}
    for path in files:
        assert gleif.sniff(path), path.name
        summary = run(store, [path], tmp_path, f"{path.stem}.csv", fmt="auto")
        assert summary.rejected_total == 0, (path.name, rejects_of(tmp_path / f"{path.stem}.csv"))
        per_file[path.name] = (summary.parties_new, summary.parties_updated, summary.interests_new,
                               summary.interests_updated)
    print("\nfile: parties new/updated, interests new/updated")
    for name, counts in per_file.items():
        print(f"  {name}: {counts}")
    counts = store.counts()
    print("store:", counts)
    # 49 distinct LEIs (Level 1 records, relationship ends, exception parties), 2 of them also named by
    # their Companies House number; 23 distinct stakes, however many copies of them the files hold
    assert (counts["parties"], counts["identifiers"], counts["interests"]) == (49, 51, 23)


def test_bods_statements_beside_the_gleif_files_are_not_taken_for_gleif(store, fixtures, tmp_path):
    outputs = sorted(fixtures.glob("*-out.json"))
    assert len(outputs) == 10
    for path in outputs:
        assert not gleif.sniff(path), path.name
    # read as GLEIF anyway, each statement is rejected with a reason, and nothing breaks
    items = list(gleif.read(fixtures / "rr-data-out.json"))
    assert len(items) == 10 and all(isinstance(i, Reject) for i in items)
    assert all("not a GLEIF record" in i.reason and i.location.startswith("item ") for i in items)


def test_direct_consolidation_chain_and_its_ultimate_parent(store, fixtures, tmp_path):
    store.clear()
    # relationships first: the parties they name exist by LEI only until the Level 1 records arrive
    first = run(store, [fixtures / "rr-updates-data2.xml"], tmp_path)
    assert first.rejected_total == 0
    assert party(store, MIDDLE)["kind"] == "unknown" and party(store, MIDDLE).get("name") is None
    run(store, [fixtures / "lei-updates-data2.xml"], tmp_path)
    middle = party(store, MIDDLE)
    assert middle["kind"] == "company" and middle["name"] and middle["jurisdiction"] == "AU"

    lower = interests(store, MIDDLE, CHILD)
    assert [(s["type"], s["counted"], s.get("declares")) for s in lower] == [("consolidation", True, None)]
    assert (lower[0]["share_min"], lower[0]["share_max"]) == (0.0, 100.0)  # no quantifier: undisclosed
    assert lower[0]["start"].to_native() == date(2018, 6, 30) and lower[0].get("end") is None
    upper = [s for s in interests(store, TOP, MIDDLE) if s["counted"]]
    assert len(upper) == 1 and (upper[0]["share_min"], upper[0]["share_max"]) == (100.0, 100.0)
    declared = [s for s in interests(store, TOP, CHILD)]
    assert [(s["type"], s["counted"], s["declares"]) for s in declared] == [("consolidation", False, "ultimate-parent")]

    found = ultimate_parents(store, CHILD, as_of=date(2024, 1, 1))
    assert [p.lei for p in found.computed] == [TOP]
    assert found.computed[0].levels == 2
    assert found.computed[0].chain == (f"LEI:{CHILD}", f"LEI:{MIDDLE}", f"LEI:{TOP}")
    assert [p.lei for p in found.declared] == [TOP] and found.agree
    assert ultimate_parents(store, f"LEI:{CHILD}").agree  # today, the id given with its scheme

    # before the middle company was consolidated (2019-06-30) the chain stopped one level lower
    earlier = ultimate_parents(store, CHILD, as_of=date(2019, 1, 1))
    assert [p.lei for p in earlier.computed] == [MIDDLE]
    assert [p.lei for p in earlier.declared] == [TOP] and not earlier.agree
    assert ultimate_parents(store, TOP, as_of=date(2024, 1, 1)).computed == ()


def test_a_relationship_the_golden_copy_deleted_ends_on_its_deletion_date(store, fixtures, tmp_path):
    store.clear()
    run(store, [fixtures / "rr-updates-data2.json"], tmp_path)
    assert [p.lei for p in ultimate_parents(store, CHILD, as_of=date(2024, 1, 1)).declared] == [TOP]
    before = store.counts()
    run(store, [fixtures / "rr-updates-data2-new.json"], tmp_path)
    # one new fund-management relationship; the two the new snapshot no longer holds stay as they were
    # (a record missing from a later snapshot is not taken as ended: only a deletion or INACTIVE ends one)
    assert store.counts()["interests"] == before["interests"] + 1
    declared = interests(store, TOP, CHILD)[0]
    assert declared["end"].to_native() == date(2023, 11, 1)
    assert ultimate_parents(store, CHILD, as_of=date(2024, 1, 1)).declared == ()
    assert [p.lei for p in ultimate_parents(store, CHILD, as_of=date(2023, 6, 1)).declared] == [TOP]


def test_lapsed_and_retired_entities_are_kept_with_their_status(store, fixtures, tmp_path):
    store.clear()
    summary = run(store, [fixtures / "lei-data.xml"], tmp_path)
    assert summary.parties_new == 13 and summary.rejected_total == 0
    assert party(store, "004L5FPTUREIWK9T2N63")["status"] == "LAPSED"
    assert party(store, "00TR8NKAEL48RGTZEW89")["status"] == "INACTIVE/RETIRED"
    assert party(store, "001GPB6A9XPE8XJICC14").get("status") is None
    statuses = store.driver.execute_query(
        "MATCH (p:Party) WHERE p.status IS NOT NULL RETURN p.status AS s ORDER BY s").records
    assert [r["s"] for r in statuses] == ["INACTIVE/RETIRED", "LAPSED", "LAPSED", "LAPSED"]


def test_headquarters_and_jurisdiction_are_kept_apart(store, fixtures, tmp_path):
    store.clear()
    run(store, [fixtures / "lei-data.xml"], tmp_path)
    cayman = party(store, "00TR8NKAEL48RGTZEW89")  # incorporated in the Cayman Islands, run from Curacao
    assert (cayman["jurisdiction"], cayman["headquarters"], cayman["country"]) == ("KY", "CW", "CW")
    fund = party(store, "001GPB6A9XPE8XJICC14")
    assert fund["kind"] == "fund" and fund["name"] == "Fidelity Advisor Leveraged Company Stock Fund"
    assert (fund["jurisdiction"], fund["headquarters"]) == ("US-MA", "US")
    assert "legal: 245 SUMMER STREET, BOSTON, US-MA, 02210, US" in fund["addresses"]
    assert any(a.startswith("headquarters: C/O Fidelity Management & Research") for a in fund["addresses"])
    # a Companies House registration gives the party its GB-COH identifier too
    rows = store.driver.execute_query(
        "MATCH (:Identifier {id: 'GB-COH:03004112'})-[:IDENTIFIES]->(p:Party) RETURN p.key AS key").records
    assert [r["key"] for r in rows] == ["LEI:1595D0QCK7Y15293JK84"]


def test_reporting_exceptions_are_stored_on_their_party(store, fixtures, tmp_path):
    store.clear()
    run(store, [fixtures / "lei-data.xml", fixtures / "repex-data.xml"], tmp_path)
    fund = party(store, "001GPB6A9XPE8XJICC14")
    assert fund["reporting_exceptions"] == ["DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NO_KNOWN_PERSON"]
    assert fund["kind"] == "fund" and fund["name"]  # the exception adds to the Level 1 record, takes nothing
    hidden = party(store, "01370W6ZIY66KQ4J3570")  # no Level 1 record in this load
    assert hidden["kind"] == "unknown"
    assert hidden["reporting_exceptions"] == ["DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NON_PUBLIC"]
    assert describe_exception(hidden["reporting_exceptions"][0]) == "the direct parent is not disclosed (NON_PUBLIC)"

    run(store, [fixtures / "reporting-exceptions-data.json"], tmp_path)  # a Level 1 record and its exceptions
    heirs = party(store, "959800W87BKGBUDPF915")
    assert heirs["status"] == "LAPSED" and heirs["name"].startswith("COMUNIDAD HEREDITARIA")
    assert sorted(heirs["reporting_exceptions"]) == ["DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NON_CONSOLIDATING",
                                                     "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT:NON_CONSOLIDATING"]


def test_fund_relationships_are_declarations_not_counted(store, fixtures, tmp_path):
    store.clear()
    run(store, [fixtures / "rr-data.xml"], tmp_path)
    managed = interests(store, "5493001Z012YSB2A0K51", "001GPB6A9XPE8XJICC14")
    assert [(s["type"], s["counted"], s["declares"]) for s in managed] == [("fund-management", False, "fund")]
    umbrella = interests(store, "C7J4FOV6ELAVE39B7M82", "001GPB6A9XPE8XJICC14")
    assert [(s["type"], s["counted"]) for s in umbrella] == [("fund-management", False)]
    rows = store.driver.execute_query(
        "MATCH ()-[s:INTEREST]->() RETURN s.counted AS counted, s.type AS type, count(*) AS n "
        "ORDER BY counted, type").records
    assert [(r["counted"], r["type"], r["n"]) for r in rows] == [
        (False, "consolidation", 1), (False, "fund-management", 8), (True, "consolidation", 1)]


def _same(items: list) -> list:
    """Records without what differs between the XML and JSON copies: the file name, and addresses
    (the JSON copies keep only the last AdditionalAddressLine of an address)."""
    out = []
    for item in items:
        item = replace(item, provenance=replace(item.provenance, source=item.provenance.source.rsplit(".", 1)[0]))
        out.append(replace(item, addresses=()) if isinstance(item, PartyRecord) else item)
    return out


@pytest.mark.parametrize("stem", ["lei-data", "lei-updates-data2", "rr-data", "rr-updates-data2", "repex-data",
                                  "repex-updates-data2-new"])
def test_xml_and_json_of_the_same_records_give_the_same_parties_and_stakes(fixtures, stem):
    from_xml = list(gleif.read(fixtures / f"{stem}.xml"))
    from_json = list(gleif.read(fixtures / f"{stem}.json"))
    assert from_xml and not any(isinstance(i, Reject) for i in from_xml + from_json)
    assert _same(from_xml) == _same(from_json)


def test_xml_and_json_copies_meet_in_the_same_parties(store, fixtures, tmp_path):
    store.clear()
    run(store, [fixtures / "lei-data.xml"], tmp_path)
    once = store.counts()
    again = run(store, [fixtures / "lei-data.json"], tmp_path)
    assert again.parties_new == 0 and again.parties_updated == 13
    assert store.counts()["parties"] == once["parties"] == 13
    # XML keeps every address line; the JSON copy's shorter address is one more text, not another party
    hutchin = party(store, "004L5FPTUREIWK9T2N63")
    assert any("2711 Centerville Road" in a for a in hutchin["addresses"])


def _cut(source: Path, target: Path, marker: str, nth: int, extra: int) -> Path:
    text = source.read_text(encoding="utf-8")
    at = -1
    for _ in range(nth):
        at = text.index(marker, at + 1)
    target.write_text(text[:at + extra], encoding="utf-8")
    return target


def test_truncated_xml_loads_its_valid_prefix_and_rejects_the_break(store, fixtures, tmp_path):
    store.clear()
    broken = _cut(fixtures / "lei-data.xml", tmp_path / "lei-cut.xml", "<lei:LEIRecord ", 5, 600)
    summary = run(store, [broken], tmp_path, "cut-xml.csv")
    assert summary.parties_new == 4
    assert summary.rejected_total == 1
    [reject] = rejects_of(tmp_path / "cut-xml.csv")
    assert reject["source"] == "lei-cut.xml" and reject["location"].startswith("line ")
    assert "malformed XML" in reject["reason"] and "after 4 records" in reject["reason"]


def test_truncated_json_loads_its_valid_prefix_and_rejects_the_break(store, fixtures, tmp_path):
    store.clear()
    broken = _cut(fixtures / "lei-data.json", tmp_path / "lei-cut.json", '{"LEI": ', 6, 300)
    summary = run(store, [broken], tmp_path, "cut-json.csv")
    assert summary.parties_new == 5
    assert summary.rejected_total == 1
    [reject] = rejects_of(tmp_path / "cut-json.csv")
    assert reject["source"] == "lei-cut.json" and reject["location"].startswith("item 5")
    assert "malformed JSON" in reject["reason"]


def test_loading_twice_leaves_the_same_store(store, fixtures, tmp_path):
    store.clear()
    files = gleif_files(fixtures)
    run(store, files, tmp_path, "once.csv")
    once = store.counts()
    second = run(store, files, tmp_path, "twice.csv")
    assert store.counts() == once
    assert second.parties_new == 0 and second.interests_new == 0 and second.rejected_total == 0


# tiny fixtures for what the real files do not show

def _relationship(child, parent, kind, status="ACTIVE", registration="PUBLISHED", periods=None, quantifier=None,
                  id_type="LEI"):
    relation = {"StartNode": {"NodeID": child, "NodeIDType": id_type}, "EndNode": {"NodeID": parent, "NodeIDType": "LEI"},
                "RelationshipType": kind, "RelationshipStatus": status,
                "RelationshipPeriods": periods or [{"StartDate": "2015-01-01T00:00:00Z", "PeriodType": "RELATIONSHIP_PERIOD"}]}
    if quantifier is not None:
        relation["RelationshipQuantifiers"] = [{"MeasurementMethod": "ACCOUNTING_CONSOLIDATION",
                                                "QuantifierAmount": quantifier, "QuantifierUnits": "PERCENTAGE"}]
    return {"Relationship": relation,
            "Registration": {"LastUpdateDate": "2022-03-04T10:00:00Z", "RegistrationStatus": registration}}


A, B, C, D = "AAAAAAAAAAAAAAAAAA01", "BBBBBBBBBBBBBBBBBB02", "CCCCCCCCCCCCCCCCCC03", "DDDDDDDDDDDDDDDDDD04"


def test_relationship_rules_on_a_tiny_fixture(store, tmp_path):
    store.clear()
    path = tmp_path / "rr.json"
    path.write_text(json.dumps([
        _relationship(A, B, "IS_DIRECTLY_CONSOLIDATED_BY", status="INACTIVE", quantifier="62.5"),
        _relationship(C, B, "IS_INTERNATIONAL_BRANCH_OF"),
        _relationship(D, B, "IS_FEEDER_TO"),
        _relationship(A, C, "IS_DIRECTLY_CONSOLIDATED_BY", registration="ANNULLED"),       # item 3
        _relationship(A, D, "IS_PARTNER_OF"),                                                # item 4
        _relationship(A, D, "IS_DIRECTLY_CONSOLIDATED_BY", quantifier="150"),               # item 5
        _relationship("12345", D, "IS_DIRECTLY_CONSOLIDATED_BY"),                           # item 6
        _relationship(A, D, "IS_DIRECTLY_CONSOLIDATED_BY", id_type="BIC"),                  # item 7
        _relationship(A, D, "IS_DIRECTLY_CONSOLIDATED_BY", status="INACTIVE",               # item 8
                      periods=[{"StartDate": "2023-01-01", "PeriodType": "RELATIONSHIP_PERIOD"}]),
        {"Registration": {}},                                                                # item 9
    ]))
    summary = run(store, [path], tmp_path, "tiny.csv", fmt="auto")
    found = {r["location"].split(" (")[0]: r["reason"] for r in rejects_of(tmp_path / "tiny.csv")}
    assert set(found) == {"item 3", "item 4", "item 5", "item 6", "item 7", "item 8", "item 9"}
    assert "ANNULLED" in found["item 3"]
    assert "unknown relationship type 'IS_PARTNER_OF'" in found["item 4"]
    assert "outside 0-100" in found["item 5"]
    assert "not an LEI" in found["item 6"]
    assert "node id type 'BIC'" in found["item 7"]
    assert "not after start" in found["item 8"]  # ended on its last update, before it started
    assert "not a GLEIF record" in found["item 9"]
    assert summary.interests_new == 3

    [ended] = interests(store, B, A)
    assert (ended["share_min"], ended["counted"]) == (62.5, True)
    assert ended["end"].to_native() == date(2022, 3, 4)  # INACTIVE without an end date: its last update
    [branch] = interests(store, B, C)
    assert (branch["type"], branch["counted"], branch["share_min"]) == ("consolidation", True, 100.0)
    [feeder] = interests(store, B, D)
    assert (feeder["type"], feeder["counted"], feeder["declares"]) == ("fund-management", False, "fund")
    assert ultimate_parents(store, A, as_of=date(2021, 1, 1)).computed[0].lei == B
    assert ultimate_parents(store, A, as_of=date(2023, 1, 1)).computed == ()


LEI_CSV_HEADER = ("Entity.LegalJurisdiction,LEI,Entity.LegalName.xmllang,Entity.LegalName,Entity.EntityCategory,"
                  "Entity.HeadquartersAddress.Country,Entity.LegalAddress.FirstAddressLine,"
                  "Entity.LegalAddress.AdditionalAddressLine.1,Entity.LegalAddress.AdditionalAddressLine.2,"
                  "Entity.LegalAddress.City,Entity.LegalAddress.Country,Entity.EntityStatus,"
                  "Entity.RegistrationAuthority.RegistrationAuthorityID,"
                  "Entity.RegistrationAuthority.RegistrationAuthorityEntityID,Registration.LastUpdateDate,"
                  "Registration.RegistrationStatus,ConformityFlag\n")


def test_golden_copy_csv_by_column_name(store, tmp_path):
    store.clear()
    lei_csv = tmp_path / "20240606-gleif-goldencopy-lei2-golden-copy.csv"
    lei_csv.write_text(
        LEI_CSV_HEADER
        + f'KY,{A},en,"Alpha Holdings, Ltd",GENERAL,CN,1 Harbour Rd,Floor 2,Suite 9,George Town,KY,ACTIVE,'
          'RA000087,574206,2024-05-01T10:00:00Z,ISSUED,CONFORMING\n'
        + f'GB,{B},en,Beta Fund,FUND,GB,2 High St,,,London,GB,ACTIVE,RA000585,1234567,2024-05-02T10:00:00Z,'
          'LAPSED,\n'
        + f'Narnia,{C},en,Gamma,GENERAL,,,,,,,ACTIVE,,,,ISSUED,\n'      # line 4: bad jurisdiction
        + f'GB,{D},en,Delta\n'                                          # line 5: truncated row
    )
    rr_csv = tmp_path / "rr-golden-copy.csv"
    rr_csv.write_text(
        "Relationship.StartNode.NodeID,Relationship.StartNode.NodeIDType,Relationship.EndNode.NodeID,"
        "Relationship.EndNode.NodeIDType,Relationship.RelationshipType,Relationship.RelationshipStatus,"
        "Relationship.Period.1.startDate,Relationship.Period.1.endDate,Relationship.Period.1.periodType,"
        "Relationship.Period.2.startDate,Relationship.Period.2.endDate,Relationship.Period.2.periodType,"
        "Relationship.Quantifiers.1.MeasurementMethod,Relationship.Quantifiers.1.QuantifierAmount,"
        "Relationship.Quantifiers.1.QuantifierUnits,Registration.LastUpdateDate,Registration.RegistrationStatus\n"
        f"{B},LEI,{A},LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE,2023-01-01,2023-12-31,ACCOUNTING_PERIOD,"
        "2020-02-03,,RELATIONSHIP_PERIOD,ACCOUNTING_CONSOLIDATION,75.50,PERCENTAGE,2024-01-01,PUBLISHED\n")
    repex_csv = tmp_path / "repex-golden-copy.csv"
    repex_csv.write_text("LEI,Exception.Category,Exception.Reason.1,Exception.Reference.1\n"
                         f"{A},DIRECT_ACCOUNTING_CONSOLIDATION_PARENT,NON_PUBLIC,\n")
    entities_csv = tmp_path / "folder" / "entities.csv"
    entities_csv.parent.mkdir()
    entities_csv.write_text("id,name\nX,Ex\n")
    assert gleif.sniff(lei_csv) and gleif.sniff(rr_csv) and gleif.sniff(repex_csv)
    assert not gleif.sniff(entities_csv) and not gleif.sniff(entities_csv.parent)

    summary = run(store, [lei_csv, rr_csv, repex_csv], tmp_path, "csv.csv", fmt="auto")
    found = {r["location"]: r["reason"] for r in rejects_of(tmp_path / "csv.csv")}
    assert set(found) == {"line 4 (CCCCCCCCCCCCCCCCCC03)", "line 5"}
    assert "bad jurisdiction" in found["line 4 (CCCCCCCCCCCCCCCCCC03)"]
    assert "wrong number of fields" in found["line 5"]
    assert store.counts()["parties"] == 2 and summary.interests_new == 1

    alpha = party(store, A)
    assert (alpha["name"], alpha["kind"], alpha["jurisdiction"], alpha["headquarters"]) == (
        "Alpha Holdings, Ltd", "company", "KY", "CN")
    assert "legal: 1 Harbour Rd, Floor 2, Suite 9, George Town, KY" in alpha["addresses"]
    assert alpha["reporting_exceptions"] == ["DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NON_PUBLIC"]
    beta = party(store, B)
    assert (beta["kind"], beta["status"]) == ("fund", "LAPSED")
    rows = store.driver.execute_query(
        "MATCH (:Identifier {id: 'GB-COH:01234567'})-[:IDENTIFIES]->(p:Party) RETURN p.key AS key").records
    assert [r["key"] for r in rows] == [f"LEI:{B}"]
    [held] = interests(store, A, B)
    assert (held["share_min"], held["share_max"], held["start"].to_native()) == (75.5, 75.5, date(2020, 2, 3))


def test_other_formats_are_not_taken_for_gleif(demo_folder):
    others = [demo_folder, demo_folder / "entities.csv"]
    for folder in ("bods", "uk-psc", "ftm", "vadalog"):
        base = SHARED_DATA / folder
        if base.exists():
            others += sorted(p for p in base.rglob("*") if p.suffix in (".json", ".jsonl", ".csv", ".xml"))[:60]
    if len(others) < 10:
        missing(f"reference data of the other formats is absent from {SHARED_DATA}")
    taken = [str(p) for p in others if gleif.sniff(p)]
    assert taken == []
