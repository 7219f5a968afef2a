"""The nightly refresh and dated list memberships, against a real Neo4j: a source that gives a listing an
end date, or stops stating a dated listing, changes the verdicts from that date on and not before; a
snapshot that cannot be read fails the run with the file's name and leaves the graph as it was; and the
change log is asked with any UTC offset Python reads."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.graph.evaluate import verdict
from ownergraph.loaders.refresh import refresh
from ownergraph.loaders.sources import RefreshSettings

D1, D2, D3 = date(2024, 1, 31), date(2024, 4, 30), date(2024, 7, 31)
ENTITIES = "id,name,kind,jurisdiction,headquarters,nationality,lists\n"
OWNERSHIP = "owner,owned,share,interest,start,end\n"
STAKES = ["LISTED,SUB,60,,2019-01-01,", "DROPPED,SUB2,60,,2019-01-01,"]


def snapshot(folder: Path, day: date, lists: dict[str, str]) -> None:
    target = folder / day.isoformat()
    target.mkdir(parents=True)
    parties = {"LISTED": "Listed Trading LLC,company,AE,AE,,", "SUB": "Sub Holdings Ltd,company,GB,GB,,",
               "DROPPED": "Dropped Trading LLC,company,AE,AE,,", "SUB2": "Second Sub Ltd,company,GB,GB,,"}
    rows = "".join(f"{k},{v}{lists.get(k, '')}\n" for k, v in parties.items())
    (target / "entities.csv").write_text(ENTITIES + rows)
    (target / "ownership.csv").write_text(OWNERSHIP + "".join(f"{s}\n" for s in STAKES))


def config(path: Path, location: Path, fmt: str = "csv") -> Path:
    path.write_text(f"policies: [ofac-50]\nsources:\n  - name: sanctions\n    format: {fmt}\n"
                    f"    location: {location}\n")
    return path


def sanctions(tmp_path: Path, listings: dict[date, str]) -> tuple[RefreshSettings, Path]:
    """A csv source whose snapshot of each day lists LISTED as given; the settings and its configuration."""
    folder = tmp_path / "sanctions"
    for day, entry in listings.items():
        snapshot(folder, day, {"LISTED": entry})
    return RefreshSettings(data_dir=tmp_path / "data"), config(tmp_path / "c.yaml", folder)


def status(store, party: str, day: date) -> str:
    return verdict(store, party, "ofac-50", day).verdict


def test_a_dated_listing_given_an_end_or_no_longer_stated_ends(tmp_path, store):
    store.clear()
    folder = tmp_path / "sanctions"
    # day 1: both listed on the SDN list since 2020 with no end
    snapshot(folder, D1, {"LISTED": "ofac-sdn@2020-01-01..", "DROPPED": "ofac-sdn@2020-01-01.."})
    # day 2: the source gives Listed's listing an end before day 2, and no longer states Dropped's
    snapshot(folder, D2, {"LISTED": "ofac-sdn@2020-01-01..2024-03-15"})
    settings = RefreshSettings(data_dir=tmp_path / "data")
    path = config(tmp_path / "c.yaml", folder)
    first = refresh(settings, path, today=D1, store=store)
    assert first.status == "succeeded", first.error
    assert status(store, "SUB", D1) == "restricted" and status(store, "SUB2", D1) == "restricted"
    second = refresh(settings, path, today=D2, store=store)
    assert second.status == "succeeded", second.error
    assert second.sources[0].parties_changed == 2
    # the end the source gives, and the day the source stopped stating the membership
    assert status(store, "SUB", D2) == "clear" and status(store, "SUB", date(2024, 3, 15)) == "clear"
    assert status(store, "SUB", date(2024, 3, 14)) == "restricted"
    assert status(store, "SUB2", D2) == "clear" and status(store, "SUB2", date(2024, 4, 29)) == "restricted"
    # earlier dates keep their verdict
    assert status(store, "SUB", D1) == "restricted" and status(store, "SUB2", D1) == "restricted"
    ends = store.driver.execute_query(
        "MATCH (p:Party)-[l:LISTED]->(:List {name: 'ofac-sdn'}) RETURN p.key AS key, l.start AS start, "
        "l.end AS end ORDER BY key").records
    assert [(r["key"], r["start"].to_native(), r["end"].to_native()) for r in ends] == [
        ("csv:DROPPED", date(2020, 1, 1), D2), ("csv:LISTED", date(2020, 1, 1), date(2024, 3, 15))]
    # a third run with the same file changes nothing
    snapshot(folder, D3, {"LISTED": "ofac-sdn@2020-01-01..2024-03-15"})
    third = refresh(settings, path, today=D3, store=store)
    assert third.status == "succeeded" and third.sources[0].parties_changed == 0 and third.changes == 0


def test_a_listing_restated_without_its_end_is_open_again(tmp_path, store):
    """The source corrects itself: the end it gave on day 2 is gone on day 3, so Sub is restricted again
    from then on (a membership's end is the latest statement's)."""
    store.clear()
    settings, path = sanctions(tmp_path, {D1: "ofac-sdn@2020-01-01..", D2: "ofac-sdn@2020-01-01..2024-03-15",
                                          D3: "ofac-sdn@2020-01-01.."})
    for day in (D1, D2):
        assert refresh(settings, path, today=day, store=store).status == "succeeded"
    assert status(store, "SUB", D2) == "clear"
    third = refresh(settings, path, today=D3, store=store)
    assert third.status == "succeeded", third.error
    assert status(store, "SUB", D3) == "restricted" and status(store, "SUB", D2) == "restricted"


def test_a_truncated_gz_snapshot_fails_the_run_naming_the_file(tmp_path, store):
    store.clear()
    folder = tmp_path / "ftm"
    folder.mkdir()
    entities = [{"id": f"c{i}", "schema": "Company", "properties": {"name": [f"Company {i}"]}} for i in range(3000)]
    whole = gzip.compress("".join(json.dumps(e) + "\n" for e in entities).encode())
    (folder / f"ftm-{D1.isoformat()}.json.gz").write_bytes(whole)
    cut = folder / f"ftm-{D2.isoformat()}.json.gz"
    cut.write_bytes(whole[:len(whole) // 2])
    settings = RefreshSettings(data_dir=tmp_path / "data")
    path = config(tmp_path / "c.yaml", folder, "ftm")
    assert refresh(settings, path, today=D1, store=store).status == "succeeded"
    counts = store.counts()
    failed = refresh(settings, path, today=D2, store=store)
    assert failed.status == "failed" and cut.name in failed.error and "truncated" in failed.error, failed.error
    assert store.counts() == counts
    absent = store.driver.execute_query("MATCH (p:Party) WHERE p.absent_from IS NOT NULL RETURN count(p) AS n")
    assert absent.records[0]["n"] == 0


def test_changes_since_a_moment_in_any_offset(tmp_path, store):
    store.clear()
    settings, path = sanctions(tmp_path, {D1: "ofac-sdn@2020-01-01..", D2: "ofac-sdn@2020-01-01..2024-03-15"})
    for day in (D1, D2):
        assert refresh(settings, path, today=day, store=store).status == "succeeded"
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as client:
        # Neo4j takes offsets up to 18 hours; the moment is asked in UTC
        beyond = client.get("/v1/changes", params={"since": "2000-01-01T00:00:00+18:01"})
        assert beyond.status_code == 200, beyond.text
        assert beyond.json()["since"] == "1999-12-31T05:59:00+00:00"
        assert {c["party"]["id"] for c in beyond.json()["changes"]} == {"csv:LISTED", "csv:SUB"}
        for since in ("0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "2000-01-01T00:00:00-1801"):
            assert client.get("/v1/changes", params={"since": since}).status_code == 200, since
        assert client.get("/v1/changes", params={"since": "2000-01-01T00:00:00+24:00"}).status_code == 422


def test_a_refresh_recomputes_the_closures_of_policies_it_does_not_name(tmp_path, store):
    """The refresh names bis-affiliates only; the ofac-50 closure a user built is recomputed after the
    refresh's writes too (not left as it was), so Sub, whose owner's listing ended, is clear from it."""
    from ownergraph.graph import materialise
    from ownergraph.graph.policy import load_policy

    store.clear()
    folder = tmp_path / "sanctions"
    snapshot(folder, D1, {"LISTED": "ofac-sdn@2020-01-01.."})
    snapshot(folder, D2, {"LISTED": "ofac-sdn@2020-01-01..2024-03-15"})
    settings = RefreshSettings(data_dir=tmp_path / "data")
    path = tmp_path / "c.yaml"
    path.write_text(f"policies: [bis-affiliates]\nsources:\n  - name: sanctions\n    format: csv\n"
                    f"    location: {folder}\n")
    assert refresh(settings, path, today=D1, store=store).status == "succeeded"
    materialise.materialise(store, load_policy("ofac-50"), D2)
    assert status(store, "SUB", D2) == "restricted"
    second = refresh(settings, path, today=D2, store=store)
    assert second.status == "succeeded", second.error
    info = materialise.current(store, load_policy("ofac-50"))
    assert info is not None and info["restricted"] == 0  # recomputed on its own date, D2
    assert status(store, "SUB", D2) == "clear"
