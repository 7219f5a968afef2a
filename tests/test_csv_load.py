"""Loading the SPEC.md §5 CSV format into a real Neo4j."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from builders import ownergraph
from dated_lists import CASES, TODAY, expect, verdicts

from ownergraph.graph import cypher_engine, evaluate, explain, materialise
from ownergraph.graph.parties import resolve
from ownergraph.graph.policy import load_policy, parse_policy
from ownergraph.loaders import memory
from ownergraph.loaders.run import load


def write_folder(folder: Path, entities: str, ownership: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entities.csv").write_text(entities)
    (folder / "ownership.csv").write_text(ownership)
    return folder


def test_demo_loads_and_a_second_load_changes_no_counts(store, demo_folder, tmp_path):
    store.clear()
    first = load(store, [demo_folder], rejects=tmp_path / "r1.csv", show_progress=False)
    counts_once = store.counts()
    second = load(store, [demo_folder], rejects=tmp_path / "r2.csv", show_progress=False)
    assert store.counts() == counts_once
    assert counts_once["parties"] == 14
    assert counts_once["interests"] == 15
    assert first.parties_new == 14 and first.interests_new == 15 and first.rejected_total == 0
    assert second.parties_new == 0 and second.parties_updated == 14
    assert second.interests_new == 0 and second.interests_updated == 15


def test_broken_rows_are_rejected_with_line_and_reason_and_good_rows_load(store, tmp_path):
    store.clear()
    folder = write_folder(
        tmp_path / "broken",
        "id,name,kind,jurisdiction,headquarters\n"
        "A,Alpha,company,CN,CN\n"
        "B,Beta,company,GB,GB\n"
        "C,Gamma,spaceship,GB,GB\n"       # line 4: bad kind
        "D,Delta,company,Germany,\n"       # line 5: bad jurisdiction
        "E,Epsilon,company,FR\n",          # line 6: truncated row
        "owner,owned,share,share_min,share_max,interest,start,end\n"
        "A,B,60,,,,2020-01-01,\n"
        "A,B,160,,,,2021-01-01,\n"         # line 3: share outside 0-100
        "A,ZZ,10,,,,,\n"                   # line 4: unknown party
        "B,A,10,,,,2020-01-01,2019-01-01\n"  # line 5: end before start
        "B,A,abc,,,,,\n"                   # line 6: not a number
        "B,A,5,,,,20-01-2020,\n",          # line 7: bad date
    )
    rejects = tmp_path / "rejects.csv"
    summary = load(store, [folder], rejects=rejects, show_progress=False)
    assert store.counts()["parties"] == 2
    assert store.counts()["interests"] == 1
    assert summary.rejected_total == 8
    rows = list(csv.DictReader(rejects.open()))
    found = {(r["source"].split("/")[-1], r["location"]): r["reason"] for r in rows}
    assert "unknown kind" in found[("entities.csv", "line 4")]
    assert "jurisdiction" in found[("entities.csv", "line 5")]
    assert "wrong number of fields" in found[("entities.csv", "line 6")]
    assert "outside 0-100" in found[("ownership.csv", "line 3")]
    assert "unknown party" in found[("ownership.csv", "line 4")]
    assert "not after start" in found[("ownership.csv", "line 5")]
    assert "not a number" in found[("ownership.csv", "line 6")]
    assert "ISO 8601" in found[("ownership.csv", "line 7")]


def test_same_stake_from_two_sources_is_one_interest_and_most_recent_share_wins(store, tmp_path):
    store.clear()
    write_folder(tmp_path / "one", "id,name\nP,Parent\nS,Sub\n", "owner,owned,share,source\nP,S,40,registry\n")
    load(store, [tmp_path / "one"], rejects=tmp_path / "r.csv", show_progress=False)
    # a later file from another source states the same stake with another share
    write_folder(tmp_path / "two", "id,name\n", "owner,owned,share,source\nP,S,55,annual report\n")
    load(store, [tmp_path / "two"], rejects=tmp_path / "r.csv", show_progress=False)
    assert store.counts()["interests"] == 1
    assert store.counts()["provenance"] == 2
    rows = store.driver.execute_query(
        "MATCH (:Party {key:'csv:P'})-[s:INTEREST]->(:Party {key:'csv:S'}) RETURN s.share_min AS share, s.sources AS sources"
    ).records
    assert rows[0]["share"] == 55.0
    assert len(rows[0]["sources"]) == 2


def test_stakes_before_their_parties_wait_for_them(store, tmp_path):
    """An ownership file loaded before the entities it names is written once the entities arrive."""
    store.clear()
    folder = write_folder(tmp_path / "f", "id,name\nP,Parent\nS,Sub\n", "owner,owned,share\nP,S,70\n")
    from ownergraph.loaders import csv_folder
    from ownergraph.loaders.sink import RejectsFile, Sink

    items = list(csv_folder.read(folder))
    sink = Sink(store, RejectsFile(tmp_path / "r.csv"), batch_size=1)
    for item in reversed(items):  # stake first
        sink.add(item)
    summary = sink.finish()
    assert summary.interests_new == 1 and summary.rejected_total == 0


def test_missing_required_column_is_a_clear_error(store, tmp_path):
    folder = write_folder(tmp_path / "bad", "name\nX\n", "owner,owned\n")
    summary = load(store, [folder], rejects=tmp_path / "r.csv", show_progress=False)
    [unread] = summary.unreadable
    assert unread.endswith("entities.csv: missing column(s) id") and summary.exit_code == 2


@pytest.mark.parametrize(("start", "end", "as_of", "listed", "held"), CASES)
def test_a_dated_list_membership_holds_only_in_its_period(store, tmp_path, start, end, as_of, listed, held):
    """`lists` = `ofac-sdn@START..END`: a seed only in [START, END), on every engine, with its 60% subsidiary."""
    entry = f"ofac-sdn@{start or ''}..{end or ''}"
    folder = write_folder(tmp_path / "dated", f"id,name,jurisdiction,lists\nL,Listed,RU,{entry}\nS,Sub,GB,\n",
                          "owner,owned,share\nL,S,60\n")
    assert verdicts(store, folder, tmp_path, "L", as_of) == expect(listed)
    assert verdicts(store, folder, tmp_path, "S", as_of) == expect(held)


def test_list_names_are_read_in_any_case_and_a_bad_period_is_rejected(store, tmp_path):
    folder = write_folder(tmp_path / "case", "id,name,lists\nL, Listed ,  OFAC-SDN \nS,Sub,\n"
                          "M,Bad period,ofac-sdn@2022-01-01..2018-01-01\nN,Bad date,ofac-sdn@2019-02-30..\n",
                          "owner,owned,share\nL,S,60\n")
    assert evaluate.verdict_in_network(memory.network([folder]), "S", "ofac-50", TODAY).verdict == "restricted"
    store.clear()
    rejects = tmp_path / "rejects.csv"
    summary = load(store, [folder], rejects=rejects, show_progress=False)
    assert evaluate.verdict(store, "S", "ofac-50", TODAY).verdict == "restricted"
    custom = parse_policy({"name": "sdn-upper", "extends": "ofac-50", "restricted": {"lists": [" OFAC-SDN"]}})
    assert custom.restricted.lists == ("ofac-sdn",)
    assert evaluate.verdict(store, "S", custom, TODAY).verdict == "restricted"
    found = {r["location"]: r["reason"] for r in csv.DictReader(rejects.open())}
    assert summary.rejected_total == 2
    assert "ends on or before it starts" in found["line 4"]
    assert "ISO 8601" in found["line 5"]


def test_a_marker_in_the_exact_share_column_is_rejected_not_dropped(store, tmp_path):
    """`share` = `>50` is not exactly 50 (a CN owner would leave the company clear): the row is rejected."""
    folder = write_folder(tmp_path / "marker", "id,name,headquarters\nC,China Co,CN\nY,Target,GB\n",
                          "owner,owned,share,share_min,share_max\nC,Y,>50,,\nC,Y,<10,,\n")
    store.clear()
    rejects = tmp_path / "rejects.csv"
    summary = load(store, [folder], rejects=rejects, show_progress=False)
    assert store.counts()["interests"] == 0 and summary.rejected_total == 2
    found = {r["location"]: r["reason"] for r in csv.DictReader(rejects.open())}
    assert "takes no '>' or '<'" in found["line 2"] and "'>50'" in found["line 2"]
    assert "takes no '>' or '<'" in found["line 3"]


def test_the_memory_engine_reports_the_rows_the_load_rejects(store, neo4j_server, tmp_path):
    """An interest `Shareholding` (unknown type) and a stake naming no party: the same rejects, reasons and
    counts from `--engine memory` as from the load, not a silent verdict on a smaller graph."""
    folder = write_folder(tmp_path / "rejects", "id,name,headquarters\nC,China Co,CN\nY,Target,GB\n",
                          "owner,owned,share,interest\nC,Y,60,Shareholding\nC,ZZ,60,\n")
    read = memory.read([folder])
    store.clear()
    rejects = tmp_path / "rejects.csv"
    summary = load(store, [folder], rejects=rejects, show_progress=False)
    loaded = sorted((r["location"], r["reason"]) for r in csv.DictReader(rejects.open()))
    assert sorted((r.location, r.reason) for r in read.rejects) == loaded
    assert read.rejected == summary.rejected and summary.rejected_total == 2
    done = ownergraph(neo4j_server, "verdict", "Y", "--engine", "memory", "--data", str(folder), "--json")
    assert json.loads(done.stdout)["verdict"] == "clear"
    assert "rejected: 2" in done.stderr and "1 rejected: unknown interest type" in done.stderr
    assert "1 rejected: unknown party" in done.stderr and "line 2" in done.stderr


@pytest.mark.parametrize("first, then, as_of, held", [
    ("ofac-sdn@2018-01-01..2022-01-01", "ofac-sdn@2018-01-01..", date(2024, 6, 1), "restricted"),
    ("ofac-sdn@2018-01-01..", "ofac-sdn@2018-01-01..2022-01-01", date(2024, 6, 1), "clear"),
    ("ofac-sdn@2018-01-01..2022-01-01", "ofac-sdn@2018-01-01..2023-01-01", date(2022, 6, 1), "restricted"),
])
def test_the_latest_record_of_a_membership_sets_its_end(store, tmp_path, first, then, as_of, held):
    """A membership restated open after it was given an end is open again (the most recent statement wins,
    as for an interest): S, 60% held by L, is restricted again; restated with an end, it ends. The same on
    the memory engine, on demand in Neo4j and from the closure built before the second load."""
    a = write_folder(tmp_path / "a", f"id,name,jurisdiction,lists\nL,Listed,RU,{first}\nS,Sub,GB,\n",
                     "owner,owned,share\nL,S,60\n")
    b = write_folder(tmp_path / "b", f"id,name,jurisdiction,lists\nL,Listed,RU,{then}\n", "owner,owned,share\n")
    network = memory.network([a, b])
    assert evaluate.verdict_in_network(network, "S", "ofac-50", as_of).verdict == held
    store.clear()
    load(store, [a], rejects=tmp_path / "rejects-a.csv", show_progress=False)
    materialise.materialise(store, load_policy("ofac-50"), as_of)
    load(store, [b], rejects=tmp_path / "rejects-b.csv", show_progress=False)
    key = resolve(store, "S")["key"]
    network, closure = cypher_engine.evaluate_party(store, key, load_policy("ofac-50"), as_of)
    assert explain.build(network, closure, key, engine="cypher").verdict == held
    assert materialise.current(store, load_policy("ofac-50")) is not None
    assert evaluate.verdict(store, "S", "ofac-50", as_of).verdict == held
