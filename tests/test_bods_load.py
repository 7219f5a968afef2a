"""Loading BODS (0.4 records, 0.2/0.3 statements) into a real Neo4j, against Open Ownership's own files."""

from __future__ import annotations

import csv
import gzip
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import shared_data

from ownergraph.loaders import bods, formats
from ownergraph.loaders.run import load

# --- helpers ---------------------------------------------------------------------------------------

def examples() -> Path:
    return shared_data("bods", "data-standard", "v0.4-main", "examples")


def real_register_export() -> Path:
    return shared_data("bods", "visualisation-tool", "prototype3", "fixtures", "real.json")


def run(store, paths, tmp_path: Path, name: str = "rejects.csv", fmt: str = "bods"):
    """Load; return the summary and the rejects written (source without the `bods:` prefix)."""
    rejects = tmp_path / name
    summary = load(store, list(paths), fmt=fmt, rejects=rejects, show_progress=False)
    rows = list(csv.DictReader(rejects.open(encoding="utf-8"))) if rejects.exists() else []
    for row in rows:
        row["source"] = row["source"].removeprefix("bods:")
    return summary, rows


def owners(store, owned_name: str) -> list[dict]:
    return [r.data() for r in store.driver.execute_query(
        "MATCH (o:Party)-[s:INTEREST]->(y:Party {name: $name}) "
        "RETURN o.name AS owner, o.kind AS owner_kind, s.type AS type, s.share_min AS min, s.share_max AS max, "
        "s.min_open AS min_open, s.max_open AS max_open, s.counted AS counted, s.declares AS declares, "
        "s.components AS components, s.start AS start, s.end AS end, s.sources AS sources "
        "ORDER BY owner, type, start", name=owned_name).records]


def party(store, identifier: str) -> dict | None:
    rows = store.driver.execute_query(
        "MATCH (:Identifier {id: $id})-[:IDENTIFIES]->(p:Party) "
        "OPTIONAL MATCH (i:Identifier)-[:IDENTIFIES]->(p) "
        "RETURN p {.*} AS party, collect(i.id) AS ids", id=identifier).records
    if not rows:
        return None
    return {**rows[0]["party"], "ids": sorted(rows[0]["ids"])}


def neo_date(value) -> date | None:
    return value.to_native() if value is not None else None


def statements(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


# --- the Open Ownership examples -------------------------------------------------------------------

def test_every_04_example_loads_without_a_reject(store, tmp_path):
    store.clear()
    files = sorted(examples().glob("*.json"))
    assert len(files) == 19
    summary, rejects = run(store, files, tmp_path)
    assert rejects == []
    assert summary.rejected_total == 0
    # every entity and person record is a party, every relationship record a source of a stake
    for path in files:
        for statement in statements(path):
            if statement["recordType"] in ("entity", "person"):
                assert party(store, f"bods:{statement['recordId']}") is not None, (path.name, statement["recordId"])
    records = {r["record"] for r in store.driver.execute_query(
        "MATCH (v:Provenance) RETURN DISTINCT v.record AS record").records}
    relationships = {s["recordId"] for path in files for s in statements(path) if s["recordType"] == "relationship"}
    assert relationships <= records


def test_finnish_state_owned_gasgrid(store, tmp_path):
    store.clear()
    summary, rejects = run(store, [examples() / "bods-package-fi-soe.json"], tmp_path)
    assert rejects == []
    gasgrid = owners(store, "Gasgrid Finland Oy")
    direct = {(r["owner"], r["min"], r["max"]) for r in gasgrid if r["counted"]}
    assert direct == {("Suomen Kaasuverkko Oy", 76.5, 76.5), ("Valtiovarainministerio", 23.5, 23.5)}
    assert sum(r["min"] for r in gasgrid if r["counted"]) == 100.0
    declared = [r for r in gasgrid if not r["counted"]]
    assert len(declared) == 1
    assert declared[0]["owner"] == "Suomen tasavalta" and declared[0]["owner_kind"] == "state"
    assert (declared[0]["min"], declared[0]["declares"]) == (100.0, "indirect")
    assert set(declared[0]["components"]) == {"0199c515a699", "7ff95ba3682c", "87ed6d1daf8f", "e34164e75ac3",
                                             "10643ee6d6fa", "324d0f570675"}
    kaasuverkko = owners(store, "Suomen Kaasuverkko Oy")
    assert [(r["owner"], r["owner_kind"], r["min"], r["counted"]) for r in kaasuverkko] == [
        ("Valtiovarainministerio", "public-body", 100.0, True)]
    ministry = owners(store, "Valtiovarainministerio")
    assert [(r["owner"], r["type"], r["counted"]) for r in ministry] == [
        ("Suomen tasavalta", "other-influence-or-control", True)]
    assert party(store, "bods:19f1c5afe9d7")["country"] == "FI"
    assert "FI-PRO:3007894-1" in party(store, "bods:19f1c5afe9d7")["ids"]


@pytest.mark.parametrize("file, owned, counted, declared", [
    ("indirect-ownership.json", "Company A",
     {("Company B", 60.0)}, {("Person 1", 30.0)}),
    ("multiple-indirect-ownership.json", "Company B",
     {("Company C", 50.0), ("Company D", 50.0)}, {("Person 1", 60.0)}),
    ("mutilple-indirect-ownership-2.json", "Company A",
     {("Company B", 40.0), ("Company C", 20.0)}, {("Person 1", 60.0)}),
    # one relationship holds a declared indirect 50% and a direct 50% of its own
    ("mixed-direct-and-indirect-ownership.json", "Company A",
     {("Company B", 50.0), ("Person 1", 50.0)}, {("Person 1", 50.0)}),
])
def test_components_are_counted_and_declarations_are_not(store, tmp_path, file, owned, counted, declared):
    store.clear()
    _, rejects = run(store, [examples() / file], tmp_path)
    assert rejects == []
    rows = [r for r in owners(store, owned) if r["type"] == "shareholding"]
    assert {(r["owner"], r["min"]) for r in rows if r["counted"]} == counted
    assert {(r["owner"], r["min"]) for r in rows if not r["counted"]} == declared
    assert all(r["declares"] == "indirect" and r["components"] for r in rows if not r["counted"])
    assert all(r["declares"] is None and not r["components"] for r in rows if r["counted"])
    # the component whose interest the file leaves unstated is kept, counted, with an undisclosed share
    unstated = store.driver.execute_query(
        "MATCH (:Party {name: 'Person 1'})-[s:INTEREST {type: 'unknown-interest'}]->() "
        "RETURN s.counted AS counted, s.share_min AS min, s.share_max AS max").records
    assert unstated and all((r["counted"], r["min"], r["max"]) == (True, 0.0, 100.0) for r in unstated)


def test_share_ranges_keep_their_exclusive_ends(store, tmp_path):
    store.clear()
    _, rejects = run(store, [examples() / "bods-package-entity-owning-entity.json",
                             examples() / "bods-package-linking-annotations.json"], tmp_path)
    assert rejects == []
    [jenex] = owners(store, "JENEX LIMITED")  # minimum 75, exclusiveMaximum 100
    assert (jenex["min"], jenex["min_open"], jenex["max"], jenex["max_open"]) == (75.0, False, 100.0, True)
    [mare] = owners(store, "MARE POND PROPERTIES LIMITED")  # exclusiveMinimum 25, exclusiveMaximum 50
    assert (mare["min"], mare["min_open"], mare["max"], mare["max_open"]) == (25.0, True, 50.0, True)


def test_updates_over_time_are_successive_periods(store, tmp_path):
    """tecido.json: 100% -> 40% -> 30% -> closed for Maria Esteves, 60% -> 70% -> 80% for Shear Trust."""
    store.clear()
    _, rejects = run(store, [examples() / "tecido.json", examples() / "fermcat.json"], tmp_path)
    assert rejects == []
    held = [r for r in owners(store, "Tecido Ltd") if r["type"] == "shareholding"]
    periods = [(r["owner"], r["min"], neo_date(r["start"]), neo_date(r["end"])) for r in held]
    assert periods == [
        ("Maria Esteves", 100.0, date(2002, 3, 9), date(2021, 9, 24)),
        ("Maria Esteves", 40.0, date(2021, 9, 24), date(2022, 9, 21)),
        ("Maria Esteves", 30.0, date(2022, 9, 21), date(2023, 3, 3)),   # closed on the statement date
        ("Shear Trust", 60.0, date(2021, 9, 24), date(2022, 9, 21)),
        ("Shear Trust", 70.0, date(2022, 9, 21), date(2023, 3, 1)),
        ("Shear Trust", 80.0, date(2023, 3, 1), None),
    ]
    assert party(store, "bods:018AF6B3EB")["status"] == "closed"
    # fermcat.json: a closed relationship keeps the end date it states; a later statement updates a share
    fermcat = {(r["owner"], neo_date(r["start"])): (r["min"], neo_date(r["end"]))
               for r in owners(store, "Fermcat Ltd") if r["type"] == "shareholding"}
    assert fermcat == {
        ("Riyadh Byrne-Amin", date(2019, 9, 11)): (50.0, date(2021, 4, 3)),
        ("Declan Byrne-Amin", date(2021, 4, 3)): (50.0, date(2022, 1, 21)),
        ("Patrick O'Donohue", date(2019, 9, 11)): (100.0, None),
    }
    assert party(store, "bods:per-5faa4103dee78621")["status"] == "closed"
    assert party(store, "bods:per-5faa4103dee78621")["nationalities"] == ["IQ", "IE"]


def test_an_undisclosed_owner_is_a_party_of_unknown_kind_with_its_reason(store, tmp_path):
    store.clear()
    _, rejects = run(store, [examples() / "listed-company-exempt-from-disclosure.json"], tmp_path)
    assert rejects == []
    [row] = owners(store, "Listed Company OS-17")
    assert row["owner_kind"] == "unknown"
    assert "Exempt from disclosure" in row["owner"]
    assert (row["type"], row["min"], row["max"]) == ("unknown-interest", 0.0, 100.0)
    undisclosed = party(store, "bods:unspecified:fa402c4818f9")
    assert undisclosed["reporting_exceptions"] == ["subjectExemptFromDisclosure"]


def test_parties_interests_and_identifiers_from_a_tiny_file(store, tmp_path):
    store.clear()

    def statement(record_id: str, record_type: str, details: dict) -> dict:
        return {"statementId": f"tiny-statement-{record_id}-000000000000000000", "statementDate": "2024-05-01",
                "recordId": record_id, "recordType": record_type, "recordStatus": "new",
                "declarationSubject": "uk-sub", "recordDetails": {"isComponent": False, **details}}

    lines = [
        statement("cn-parent", "entity", {
            "entityType": {"type": "registeredEntity"}, "name": "Parent Holdings Ltd",
            "jurisdiction": {"name": "Cayman Islands", "code": "KY"},
            "identifiers": [{"scheme": "XI-LEI", "id": "5493001kjtiigc8y1r12"}],
            "addresses": [{"type": "registered", "address": "PO Box 309, George Town",
                           "country": {"name": "Cayman Islands", "code": "KY"}},
                          {"type": "business", "address": "1 Chang An Avenue, Beijing",
                           "country": {"name": "China", "code": "CN"}}]}),
        statement("uk-sub", "entity", {
            "entityType": {"type": "registeredEntity"}, "name": "Subsidiary UK Ltd",
            "identifiers": [{"scheme": "GB-COH", "id": "123456"}, {"schemeName": "OpenCorporates", "id": "gb/123456"}]}),
        statement("holder", "person", {
            "personType": "knownPerson", "names": [{"type": "legal", "fullName": "Li Wei"}],
            "nationalities": [{"name": "China", "code": "CN"}, {"name": "Hong Kong", "code": "HK"}],
            "identifiers": [{"scheme": "GB-COH", "id": "999"}]}),
        statement("rel-parent", "relationship", {
            "subject": "uk-sub", "interestedParty": "cn-parent",
            "interests": [{"type": "votingRights", "share": {"minimum": 50, "exclusiveMaximum": 75},
                           "startDate": "2020-01-01"},
                          {"type": "boardMember", "startDate": "2020-01-01"}]}),
        statement("rel-holder", "relationship", {
            "subject": "uk-sub", "interestedParty": "holder", "interests": [{"type": "goldenShare"}]}),
    ]
    path = tmp_path / "tiny.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    assert formats.detect(path) == "bods"
    _, rejects = run(store, [path], tmp_path, fmt="auto")
    assert [(r["location"], r["reason"]) for r in rejects] == [
        ("line 5, record rel-holder", "unknown interest type: 'goldenShare' at recordDetails.interests[0].type")]
    parent = party(store, "LEI:5493001KJTIIGC8Y1R12")
    assert (parent["name"], parent["jurisdiction"], parent["headquarters"], parent["country"]) == (
        "Parent Holdings Ltd", "KY", "CN", "CN")
    assert parent["addresses"] == ["registered: PO Box 309, George Town, KY",
                                   "business: 1 Chang An Avenue, Beijing, CN"]
    assert party(store, "GB-COH:00123456")["name"] == "Subsidiary UK Ltd"
    holder = party(store, "bods:holder")
    assert (holder["kind"], holder["nationalities"], holder["ids"]) == ("person", ["CN", "HK"], ["bods:holder"])
    held = {(r["owner"], r["type"]): (r["min"], r["min_open"], r["max"], r["max_open"])
            for r in owners(store, "Subsidiary UK Ltd")}
    assert held == {("Parent Holdings Ltd", "voting-rights"): (50.0, False, 75.0, True),
                    ("Parent Holdings Ltd", "other-influence-or-control"): (0.0, False, 100.0, False)}


def test_bods_made_from_gleif_reads_as_gleif_relationships(store, tmp_path):
    store.clear()
    folder = shared_data("bods", "data-standard", "gleif_04_testing", "tests", "data", "valid-statements")
    _, rejects = run(store, sorted(folder.glob("*.json")), tmp_path)
    assert rejects == []
    [ultimate] = owners(store, "\u6a6b\u83ef\u570b\u969b\u91d1\u878d\u80a1\u4efd\u6709\u9650\u516c\u53f8")
    assert (ultimate["type"], ultimate["counted"], ultimate["declares"]) == ("consolidation", False, "ultimate-parent")
    [direct] = owners(store, "MULTISERVICIOS MAPFRE MULTIMAP SA")
    assert (direct["type"], direct["counted"], direct["end"]) == ("consolidation", True, None)
    [deleted] = owners(store, "GSFS INVESTMENTS I CORP.")
    assert (deleted["owner"], neo_date(deleted["end"])) == ("THE GOLDMAN SACHS GROUP, INC.", date(2024, 7, 7))
    assert party(store, "LEI:984500F41LD86971HC57")["status"] == "closed"
    store.clear()
    run(store, [examples() / "plc-entity-statement.json"], tmp_path, "plc.csv")
    assert party(store, "LEI:PY6ZZQWO2IZFZC3IOL08")["ids"] == [
        "GB-COH:02723534", "LEI:PY6ZZQWO2IZFZC3IOL08", "bods:70044236"]


def test_two_records_of_one_load_sharing_a_company_number_meet_in_one_party(store, tmp_path):
    """simple- and full-pep-declaration.json describe one company (GB-COH XE-000079054) under two recordIds."""
    store.clear()
    files = [examples() / "simple-pep-declaration.json", examples() / "full-pep-declaration.json"]
    run(store, files, tmp_path, "r1.csv")
    counts = store.counts()
    run(store, files, tmp_path, "r2.csv")
    assert store.counts() == counts
    company = party(store, "GB-COH:XE-000079054")
    assert {"bods:841083ba86e3", "bods:a7b3bd81d8ba"} <= set(company["ids"])
    assert counts["parties"] == 3


# --- real data: the Open Ownership Register (BODS 0.2) ---------------------------------------------

def test_real_register_export(store, tmp_path):
    store.clear()
    summary, rejects = run(store, [real_register_export()], tmp_path, fmt="auto")
    assert rejects == []
    assert store.counts()["parties"] == 4
    for company in ("AIMIA HOLDINGS UK LIMITED", "AIMIA HOLDINGS UK II LIMITED"):
        [row] = owners(store, company)
        assert row["owner"] == "AIMIA INC."
        # the register states 75-100 with both ends inclusive (exclusiveMinimum/Maximum false)
        assert (row["type"], row["min"], row["min_open"], row["max"], row["max_open"]) == (
            "shareholding", 75.0, False, 100.0, False)
        assert neo_date(row["start"]) == date(2017, 1, 1)
    aimia = party(store, "bods:openownership-register-4464213138928640503")
    assert (aimia["jurisdiction"], aimia["country"]) == ("CA", "CA")
    [parent] = owners(store, "AIMIA INC.")
    assert parent["owner_kind"] == "unknown" and "Unknown person(s)" in parent["owner"]
    # 06436883 listed five times and 6436883 twice: one party, one company number
    uk = party(store, "GB-COH:06436883")
    assert uk["name"] == "AIMIA HOLDINGS UK LIMITED"
    assert uk["ids"] == ["GB-COH:06436883", "bods:openownership-register-6986942533025490740"]
    assert party(store, "GB-COH:6436883") is None


def test_unpadded_company_numbers_from_another_file_meet_the_same_party(store, tmp_path):
    store.clear()
    run(store, [real_register_export()], tmp_path)
    parties_before = store.counts()["parties"]
    other = tmp_path / "other-publisher.json"
    other.write_text(json.dumps([{
        "statementId": "other-publisher-statement-0000000000000001", "statementDate": "2024-01-01",
        "recordId": "other-aimia-uk", "recordType": "entity", "recordStatus": "new",
        "declarationSubject": "other-aimia-uk",
        "recordDetails": {"isComponent": False, "entityType": {"type": "registeredEntity"},
                          "name": "Aimia Holdings UK Limited",
                          "identifiers": [{"scheme": "GB-COH", "id": "6436883"}]}}]))
    _, rejects = run(store, [other], tmp_path, "r2.csv")
    assert rejects == []
    assert store.counts()["parties"] == parties_before
    assert "bods:other-aimia-uk" in party(store, "GB-COH:06436883")["ids"]


def test_02_replacements_and_a_reused_statement_id(store, tmp_path):
    """A 0.2 history in one file: 100% to Christopher Taggart, replaced by 50% to him and 50% undisclosed."""
    store.clear()
    folder = shared_data("bods", "data-standard", "v0.2", "examples")
    first, update = statements(folder / "1-single-direct.json"), statements(folder / "2-single-update.json")
    seen = {s["statementID"] for s in first}
    history = tmp_path / "history.json"
    history.write_text(json.dumps(first + [s for s in update if s["statementID"] not in seen]))
    _, rejects = run(store, [history], tmp_path)
    assert rejects == []
    rows = owners(store, "CHRINON LTD")
    taggart = [r for r in rows if r["owner"] == "Christopher Taggart"]
    assert len(taggart) == 1 and taggart[0]["min"] == 50.0 and len(taggart[0]["sources"]) == 2
    assert [(r["owner_kind"], r["min"]) for r in rows if r["owner"] != "Christopher Taggart"] == [("unknown", 50.0)]
    # visualisation-tool's joint.json reuses one statementID for two ownership statements: both load
    store.clear()
    _, rejects = run(store, [shared_data("bods", "visualisation-tool", "fixtures", "joint.json")], tmp_path, "r2.csv")
    assert rejects == []
    joint = {(r["owner"], r["type"], r["min"], r["max"]) for r in owners(store, "Joint shareholding")}
    assert joint == {("Natalie Coleman", "shareholding", 50.0, 50.0), ("Roberto López", "shareholding", 50.0, 50.0),
                     ("Natalie Coleman", "voting-rights", 75.0, 100.0), ("Roberto López", "voting-rights", 60.0, 60.0)}


# --- bad input -------------------------------------------------------------------------------------

# Schema test statements whose fault lies in a field the loader does not read: they load.
NOT_READ_PREFIXES = (
    "statement_annotations", "publication_details", "statement_source", "entity_security", "entity_public_listing",
    "person_PepStatusDetails", "person_politicalExposure", "entity_formed_by_statute", "entity_founding_date",
    "entity_uri", "person_birth", "person_death", "person_taxResidencies", "statement_statementId",
    "statement_declaration", "entity_alternate_names",
)
NOT_READ = {
    "entity_isComponent_missing", "entity_isComponent_not_boolean", "entity_recordDetails_missing_isComponent",
    "person_isComponent_missing", "person_iscomponent_not_bool", "relationship_isComponent_missing",
    "relationship_isComponent_not_boolean", "relationship_component_records_true",
    "relationship_interests_details_string", "relationship_interests_beneficialOwnershipOrControl_not_boolean",
    "entity_identifiers_uri_format", "entity_identifiers_no_scheme_info", "entity_address_country_name_not_string",
    "entity_address_country_no_name", "entity_address_country_no_object", "entity_jurisdiction_missing_name",
    "person_names_fullName_missing", "entity_type_details_number", "entity_missing_declarationSubject",
    "statements_not_array",
}


def test_schema_test_statements_load_what_is_valid_and_reject_the_rest(store, tmp_path):
    store.clear()
    folder = shared_data("bods", "data-standard", "v0.4-main", "tests", "data")
    # the statements refer to fermcat.json's records
    _, rejects = run(store, [examples() / "fermcat.json"], tmp_path, "fermcat.csv")
    assert rejects == []
    loaded, rejected = [], {}
    for path in sorted((folder / "invalid-statements").glob("*.json")):
        summary, rows = run(store, [path], tmp_path, f"{path.stem}.csv")
        assert all(r["source"] == path.name and r["reason"] and r["location"] for r in rows), rows
        if path.stem in NOT_READ or path.stem.startswith(NOT_READ_PREFIXES):
            assert rows == [], (path.name, rows)
            loaded.append(path.stem)
        else:
            assert len(rows) == 1, (path.name, rows)
            rejected[path.stem] = rows[0]["reason"]
    assert len(loaded) + len(rejected) == 192
    # the reasons say what is wrong and where
    assert "recordDetails.interests[0].share.exact is 500" in rejected["relationship_interests_share_exact_too_big"]
    assert "not in its codelist" in rejected["statement_recordType_code"]
    assert "missing field: recordDetails.subject" in rejected["relationship_subject_missing"]
    assert "unknown interest type" in rejected["relationship_interests_type_code"]
    assert "not a full date" in rejected["relationship_interests_end_date_dateformat"]
    assert "subtype does not fit" in rejected["entity_type_trust_registeredentity"]
    assert "bad jurisdiction" in rejected["entity_jurisdiction_code_3chars"]
    # the valid test statements load; one names a subject that no file has (ent-93c75c87ab28f88, a
    # digit short of fermcat's company), and its interest is rejected as naming an unknown party
    valid = sorted((folder / "valid-statements").glob("*.json"))
    _, rows = run(store, valid, tmp_path, "valid.csv")
    assert [(r["source"], r["reason"].split(":")[0]) for r in rows] == [
        ("relationship_interested_party_unspecified_object.json", "unknown party")]


LIB_COVE_REJECTS = {
    "statement_date_not_future_date-invalid-1": "statement date in the future",
    "statement_date_not_future_date-invalid-2": "statement date in the future",
    "statement_relationship_interests_share_values-invalid-5": "contradictory share",
    "statement_relationship_interests_share_values-invalid-6": "contradictory share",
    "statement_relationship_interests_share_values-invalid-7": "contradictory share",
    "statement_relationship_interests_share_values-invalid-8": "contradictory share",
    "statement_relationship_interests_start_end_dates-invalid-1": "is not after start",
    "statement_relationship_subject_refers_to_entity_statement-invalid-1": "subject is not an entity",
    "statement_relationship_subject_refers_to_entity_statement-invalid-2": "unknown party",
    "statement_relationship_interested_party_entity_or_person-invalid-1": "unknown party",
    "statement_relationship_interested_party_entity_or_person-invalid-2": "missing field: recordId",
    "statement_serialisation-invalid-3": "unknown party",
    "statement_serialisation-invalid-4": "unknown party",
    "statement_series-invalid-2": "statement out of order",
    "statement_series-invalid-4": "statement out of order",
    "statement_series-invalid-5": "recordId reused for another record type",
}


def test_lib_cove_invalid_fixtures_load_what_is_valid_and_reject_the_rest(store, tmp_path):
    folder = shared_data("bods", "lib-cove-bods", "tests", "fixtures", "0.4", "additional-checks")
    files = sorted(folder.glob("*-invalid-*.json"))
    assert len(files) == 74
    shares = {}
    for path in files:
        store.clear()
        summary, rows = run(store, [path], tmp_path, f"{path.stem}.csv")
        if path.stem in LIB_COVE_REJECTS:
            assert len(rows) == 1 and LIB_COVE_REJECTS[path.stem] in rows[0]["reason"], (path.name, rows)
            assert summary.parties_new > 0 or path.stem.startswith("statement_date_not_future")
        else:
            # a fault the loader tolerates (annotations, dates of birth, component flags, order of a package)
            assert rows == [], (path.name, rows)
        if "share_values-invalid" in path.stem and path.stem not in LIB_COVE_REJECTS:
            [row] = store.driver.execute_query(
                "MATCH ()-[s:INTEREST]->() RETURN s.share_min AS min, s.share_max AS max").records
            shares[path.stem[-1]] = (row["min"], row["max"])
    # bounds that agree are intersected: an exact 88 inside its range is 88; maximum 98 with exclusive 99 is 98
    assert shares == {"1": (88.0, 88.0), "2": (88.0, 88.0), "3": (88.0, 88.0), "4": (88.0, 98.0)}


def test_lib_cove_valid_fixtures_load(store, tmp_path):
    folder = shared_data("bods", "lib-cove-bods", "tests", "fixtures", "0.4", "additional-checks")
    rejected = {}
    for path in sorted(folder.glob("*-valid-*.json")):
        store.clear()
        _, rows = run(store, [path], tmp_path, f"{path.stem}.csv")
        if rows:
            rejected[path.stem] = rows[-1]["reason"]
    # an interest that ends the day it starts holds on no day: [start, end) is empty
    assert rejected == {"statement_relationship_interests_start_end_dates-valid-2":
                        "end 2019-01-01 is not after start 2019-01-01 (at recordDetails.interests[0])"}


def test_a_truncated_file_loads_its_valid_prefix_and_rejects_the_break(store, tmp_path):
    store.clear()
    text = (examples() / "bods-package-fi-soe.json").read_text(encoding="utf-8")
    cut = len(text) * 2 // 3  # inside a relationship statement, after the entities and some relationships
    truncated = tmp_path / "fi-soe-truncated.json"
    truncated.write_text(text[:cut], encoding="utf-8")
    # the statements that end before the cut
    decoder, index, complete = json.JSONDecoder(), text.index("[") + 1, []
    while True:
        while text[index] in " \t\r\n,":
            index += 1
        obj, index = decoder.raw_decode(text, index)
        if index > cut:
            break
        complete.append(obj)
    parties = [s for s in complete if s["recordType"] != "relationship"]
    relationships = [s for s in complete if s["recordType"] == "relationship"]
    assert parties and relationships
    summary, rows = run(store, [truncated], tmp_path)
    assert len(rows) == 1
    assert rows[0]["location"].startswith(f"item {len(complete)} ") and "malformed JSON" in rows[0]["reason"]
    assert store.counts()["parties"] == len(parties)
    assert store.counts()["interests"] == sum(len(s["recordDetails"]["interests"]) for s in relationships)


def test_loading_the_same_files_twice_leaves_identical_counts(store, tmp_path):
    store.clear()
    files = [examples() / "bods-package-fi-soe.json", examples() / "tecido.json", examples() / "fermcat.json",
             real_register_export()]
    first, _ = run(store, files, tmp_path, "r1.csv")
    counts = store.counts()
    second, rows = run(store, files, tmp_path, "r2.csv")
    assert rows == []
    assert store.counts() == counts
    assert first.parties_new > 0 and first.interests_new > 0
    assert second.parties_new == 0 and second.interests_new == 0


def test_json_lines_gzip_and_zip_give_the_same_store(store, tmp_path):
    source = examples() / "bods-package-fi-soe.json"
    store.clear()
    run(store, [source], tmp_path, "plain.csv")
    expected = store.counts()
    lines = "\n".join(json.dumps(s) for s in statements(source)) + "\n"
    gz = tmp_path / "fi-soe.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as handle:
        handle.write(lines)
    archive = tmp_path / "fi-soe.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("fi-soe.jsonl", lines)
    for path in (gz, archive):
        assert formats.detect(path) == "bods"
        store.clear()
        _, rows = run(store, [path], tmp_path, f"{path.name}.csv", fmt="auto")
        assert rows == [] and store.counts() == expected


def test_bods_is_told_from_other_json_by_content():
    assert bods.sniff(examples() / "bods-package-fi-soe.json")
    assert bods.sniff(real_register_export())
    assert not bods.sniff(shared_data("gleif", "bodspipelines", "tests", "fixtures", "lei-updates-data2-new.json"))
    assert not bods.sniff(shared_data("uk-psc", "bods-uk-psc-pipeline", "tests", "fixtures", "psc-data-9.json"))
    assert not bods.sniff(shared_data("ftm", "followthemoney", "derived", "kek.ftm.jsonl"))
    # a JSON schema names the same fields, but holds no statements
    assert not bods.sniff(shared_data("bods", "data-standard", "v0.4-main", "schema", "statement.json"))
    assert not bods.sniff(shared_data("bods", "data-standard", "v0.2", "schema", "entity-statement.json"))





