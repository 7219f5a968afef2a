"""Loading the SPEC.md §5 CSV format into a real Neo4j."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

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
    from ownergraph.loaders.csv_folder import FormatError

    folder = write_folder(tmp_path / "bad", "name\nX\n", "owner,owned\n")
    with pytest.raises(FormatError, match="missing column"):
        load(store, [folder], rejects=tmp_path / "r.csv", show_progress=False)
