"""A one-line BODS array restating the same few parties and one interest many times (issue: a 50 MB such file
did not finish loading in 400 s). The restatements make no more parties or interests; the interest carries the
latest statement's share; each 0.2/0.3 ownership statement is a Provenance of the interest, while 0.4 statements
of one recordId are successive states of one record (loaders/bods.py), so one Provenance with the latest values.
Speed is measured in BENCHMARKS.md, not here: a load quadratic in the restatements does not finish at this size.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from ownergraph.loaders import formats
from ownergraph.loaders.run import load

PARTIES = {  # recordId -> (name, company number)
    "restated-owner": ("Restated Holdings Ltd", "01000001"),
    "restated-middle": ("Restated Middle Ltd", "01000002"),
    "restated-owned": ("Restated Operations Ltd", "01000003"),
}
ROUNDS = 2500  # each round restates the three parties and the one interest: about 3 MB on one line
FIRST = date(2000, 1, 1)


def share(round_: int) -> float:
    return float(5 + round_ * 7 % 90)


def restatements_04(rounds: int) -> list[dict]:
    """`rounds` times the same three entity records and one relationship record, each time under new statement
    ids and a later statement date, the relationship with another share."""
    out = []
    for n in range(rounds):
        day = (FIRST + timedelta(days=n)).isoformat()
        status = "new" if n == 0 else "updated"
        for record_id, (name, number) in PARTIES.items():
            out.append({"statementId": f"stmt-{record_id}-{n:06d}", "statementDate": day, "recordId": record_id,
                        "recordType": "entity", "recordStatus": status, "declarationSubject": "restated-owned",
                        "recordDetails": {"isComponent": False, "entityType": {"type": "registeredEntity"},
                                          "name": name, "jurisdiction": {"name": "United Kingdom", "code": "GB"},
                                          "identifiers": [{"scheme": "GB-COH", "id": number}]}})
        out.append({"statementId": f"stmt-restated-rel-{n:06d}", "statementDate": day, "recordId": "restated-rel",
                    "recordType": "relationship", "recordStatus": status, "declarationSubject": "restated-owned",
                    "recordDetails": {"isComponent": False, "subject": "restated-owned",
                                      "interestedParty": "restated-owner",
                                      "interests": [{"type": "shareholding", "directOrIndirect": "direct",
                                                     "share": {"exact": share(n)}, "startDate": "1999-06-01"}]}})
    return out


def restatements_03(rounds: int) -> list[dict]:
    """`rounds` times the same three entities (met by their company number) and one ownership statement, each
    time under new statement ids and a later statement date, the ownership statement with another share."""
    out = []
    for n in range(rounds):
        day = (FIRST + timedelta(days=n)).isoformat()
        for record_id, (name, number) in PARTIES.items():
            out.append({"statementID": f"stmt-{record_id}-{n:06d}", "statementType": "entityStatement",
                        "statementDate": day, "entityType": "registeredEntity", "name": name,
                        "incorporatedInJurisdiction": {"name": "United Kingdom", "code": "GB"},
                        "identifiers": [{"scheme": "GB-COH", "id": number}]})
        out.append({"statementID": f"stmt-restated-rel-{n:06d}", "statementType": "ownershipOrControlStatement",
                    "statementDate": day, "subject": {"describedByEntityStatement": f"stmt-restated-owned-{n:06d}"},
                    "interestedParty": {"describedByEntityStatement": f"stmt-restated-owner-{n:06d}"},
                    "interests": [{"type": "shareholding", "share": {"exact": share(n)}, "startDate": "1999-06-01"}]})
    return out


VERSIONS = {"0.4": restatements_04, "0.3": restatements_03}


def write_one_line(path: Path, rounds: int, version: str = "0.4") -> Path:
    path.write_text(json.dumps(VERSIONS[version](rounds)), encoding="utf-8")  # one line, no newline anywhere
    return path


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_a_one_line_array_restating_a_few_parties_loads_them_once_with_every_statement(store, tmp_path, version):
    store.clear()
    path = write_one_line(tmp_path / "restated.json", ROUNDS, version)
    assert path.read_bytes().count(b"\n") == 0 and path.stat().st_size > 2_000_000
    assert formats.detect(path) == "bods"
    summary = load(store, [path], fmt="auto", rejects=tmp_path / "rejects.csv", show_progress=False)
    assert summary.rejected_total == 0
    parties = {r["name"] for r in store.driver.execute_query("MATCH (p:Party) RETURN p.name AS name").records}
    assert parties == {name for name, _ in PARTIES.values()}
    [interest] = [r.data() for r in store.driver.execute_query(
        "MATCH (o:Party)-[s:INTEREST]->(y:Party) RETURN o.name AS owner, y.name AS owned, s.type AS type, "
        "s.share_min AS min, s.share_max AS max, s.statement_date AS day, s.key AS key").records]
    latest = ROUNDS - 1
    assert (interest["owner"], interest["owned"], interest["type"]) == (
        "Restated Holdings Ltd", "Restated Operations Ltd", "shareholding")
    assert (interest["min"], interest["max"]) == (share(latest), share(latest))
    assert interest["day"].to_native() == FIRST + timedelta(days=latest)
    provenance = [r.data() for r in store.driver.execute_query(
        "MATCH (v:Provenance {stake: $key}) RETURN v.record AS record, v.share_min AS min, v.statement_date AS day",
        key=interest["key"]).records]
    if version == "0.4":  # one record, restated: its latest statement
        assert [(v["record"], v["min"], v["day"].to_native()) for v in provenance] == [
            ("restated-rel", share(latest), FIRST + timedelta(days=latest))]
    else:  # one Provenance per ownership statement, each with the share it stated
        assert sorted((v["record"], v["min"]) for v in provenance) == [
            (f"stmt-restated-rel-{n:06d}", share(n)) for n in range(ROUNDS)]
    assert store.driver.execute_query("MATCH (v:Provenance) RETURN count(v) AS n").records[0]["n"] == len(provenance)
