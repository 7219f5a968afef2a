"""The bulk path (`ownergraph load --bulk`: neo4j-admin import) builds the graph the transactional load builds.

Each data set is loaded both ways from the same files: transactionally into the session's Neo4j, in bulk
into a server of this module's own (started from the project's jars in a temporary folder, stopped and
restarted on the imported store by the bulk path). The two graphs are compared node by node and
relationship by relationship, every property (the load's own timestamps and sequence numbers by type
only), with the schema, the load summaries, the rejects files, and the verdict on every party under every
built-in policy.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
from conftest import missing, shared_data

from ownergraph.graph import materialise, server
from ownergraph.graph.evaluate import verdicts
from ownergraph.graph.policy import load_policy
from ownergraph.graph.store import Store, connect
from ownergraph.loaders.bulk import run as bulk
from ownergraph.loaders.run import load
from ownergraph.loaders.sink import LoadSummary
from ownergraph.settings import Settings

VOLATILE = {"created_at", "loaded_at", "applied_at", "seq", "created_seq"}  # when, and in which order, written
POLICIES = ("cn-majority", "ofac-50", "bis-affiliates", "cn-effective")
LEI_1, LEI_2 = "5493001KJTIIGC8Y1R12", "529900T8BM49AURSDO55"


@pytest.fixture(scope="module")
def bulk_settings(tmp_path_factory):
    """A local server of this module's own, which the bulk path may stop, import into and restart."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("bulk-neo4j"), bolt_port=server.free_port(),
                        heap_size="1g", pagecache_size="512m", start_timeout=600)  # restarted by each bulk load
    try:
        server.start(settings)
    except server.ServerError as exc:
        missing(f"no local Neo4j for the bulk path: {exc}")
    yield settings
    server.stop(settings)


def samples() -> list[Path]:
    """The BODS, GLEIF and UK PSC samples in one load (the GLEIF *-out.json files are BODS statements made
    from the GLEIF records beside them: the same LEIs from two sources; two PSC files are no format)."""
    bods = sorted(shared_data("bods", "data-standard", "v0.4-main", "examples").glob("*.json"))
    gleif = sorted(shared_data("gleif", "bodspipelines", "tests", "fixtures").iterdir())
    psc = sorted(shared_data("uk-psc", "bods-uk-psc-pipeline", "tests", "fixtures").iterdir())
    legacy = [shared_data("bods", "visualisation-tool", "prototype3", "fixtures", "real.json")]
    return [*bods, *gleif, *psc, *legacy]


def hostile(folder: Path) -> list[Path]:
    """Values CSV files and identity make hard: delimiters, quotes, line breaks and the array delimiter in
    names, addresses and list names; one record merging two parties; stakes written before the merge and
    after it; two memberships of one list with one start; unknown parties and bad shares. (A later record
    that gives one of two such memberships an end is left out: which of the two the transactional load
    ends depends on Neo4j's relationship ids, not on the data; the bulk path ends the newer.)"""
    csv_folder = folder / "csv"
    csv_folder.mkdir()
    with (csv_folder / "entities.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "kind", "jurisdiction", "headquarters", "nationality", "lists"])
        out.writerow(["A", 'Comma, "Quoted" & Co', "company", "KY", "CN", "", "ofac-sdn;odd\x1flist"])
        out.writerow(["B", "Line\nbreak GmbH", "company", "DE", "", "", "bis-meu@2018-01-01..2020-01-01;"
                      "bis-meu@2018-01-01..2022-01-01"])
        out.writerow(["C", "  padded  ", "person", "", "", "CN;FR", ""])
        out.writerow([f"LEI:{LEI_1}", "Registered Ltd", "company", "GB", "", "", "ofac-sdn@2019-05-01.."])
        out.writerow(["A", "Renamed, again", "company", "", "HK", "", "ofac-sdn@..2030-01-01"])
    with (csv_folder / "ownership.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["owner", "owned", "share", "share_min", "share_max", "interest", "start", "end", "source"])
        out.writerow(["A", "B", "60", "", "", "", "2019-01-01", "", "filing, 2019"])
        out.writerow(["A", "B", "55", "", "", "", "2019-01-01", "", "filing\nrestated"])
        out.writerow(["B", "C", "", ">25", "50", "voting-rights", "", "", ""])
        out.writerow(["C", "NOBODY", "10", "", "", "", "", "", ""])
        out.writerow(["A", "C", "150", "", "", "", "", "", ""])
        out.writerow(["A", "A", "5", "", "", "", "", "", "treasury"])
        out.writerow([f"LEI:{LEI_1}", "B", "40", "", "", "", "2020-01-01", "2021-06-30", ""])
    entity = {"schema": "Company"}
    lines = [
        {**entity, "id": "e1", "properties": {"name": ["First"], "leiCode": [LEI_1],
                                              "address": ["1 Main St, Town", "Unit\x1fSeparated"]}},
        {"id": "own-early", "schema": "Ownership",
         "properties": {"owner": ["e3"], "asset": ["e1"], "percentage": ["30"], "startDate": ["2020-01-01"]}},
        {**entity, "id": "e3", "properties": {"name": ["Third"], "leiCode": [LEI_2], "country": ["cn"]}},
        {**entity, "id": "e2", "properties": {"name": ["Second | piped"], "leiCode": [LEI_2, LEI_1],
                                              "address": ["Multi\nline"]}},
        {"id": "own-late", "schema": "Ownership",
         "properties": {"owner": ["e2"], "asset": ["e3"], "percentage": ["51"]}},
        {"id": "own-unknown", "schema": "Ownership", "properties": {"owner": ["nobody"], "asset": ["e1"]}},
    ]
    ftm = folder / "hostile.ftm.jsonl"
    ftm.write_text("".join(json.dumps(line) + "\n" for line in lines) + "{not json\n")
    return [csv_folder, ftm]


# -- the comparison --------------------------------------------------------------------------------------

def _value(value):
    if isinstance(value, list):
        return ("list", tuple(_value(v) for v in value))
    return (type(value).__name__, value)


def _props(props: dict) -> tuple:
    """Every property with its type; the load's own timestamps and sequence numbers by type only."""
    return tuple(sorted((k, ("written", type(v).__name__) if k in VOLATILE else _value(v)) for k, v in props.items()))


def _sorted(rows) -> list:
    return sorted(rows, key=repr)


def dump(store: Store) -> dict[str, object]:
    def run(text: str) -> list[dict]:
        return [r.data() for r in store.driver.execute_query(text).records]

    return {
        "labels": Counter({r["label"]: r["n"] for r in run(
            "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")}),
        "types": Counter({r["type"]: r["n"] for r in run("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")}),
        "parties": _sorted(_props(r["p"]) for r in run("MATCH (p:Party) RETURN properties(p) AS p")),
        "identifiers": _sorted((_props(r["i"]), tuple(sorted(r["parties"]))) for r in run(
            "MATCH (i:Identifier) RETURN properties(i) AS i, [(i)-[:IDENTIFIES]->(p) | p.key] AS parties")),
        "interests": _sorted((r["o"], r["y"], _props(r["s"])) for r in run(
            "MATCH (o:Party)-[s:INTEREST]->(y:Party) RETURN o.key AS o, y.key AS y, properties(s) AS s")),
        "provenance": _sorted(_props(r["pv"]) for r in run("MATCH (pv:Provenance) RETURN properties(pv) AS pv")),
        "listed": _sorted((r["p"], r["l"], _props(r["x"])) for r in run(
            "MATCH (p:Party)-[x:LISTED]->(l:List) RETURN p.key AS p, l.name AS l, properties(x) AS x")),
        "lists": _sorted(_props(r["l"]) for r in run("MATCH (l:List) RETURN properties(l) AS l")),
        "meta": _sorted(_props(r["m"]) for r in run("MATCH (m:Meta) RETURN properties(m) AS m")),
        "indexes": _sorted(tuple(r.values()) for r in run(
            "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state "
            "RETURN name, type, entityType, labelsOrTypes, properties, state")),
        "constraints": _sorted(tuple(r.values()) for r in run(
            "SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties RETURN name, type, labelsOrTypes, properties")),
    }


def all_verdicts(store: Store) -> dict[tuple[str, str], object]:
    """The verdict (or the error) on every party, by key, under every built-in policy, as of today; the
    aggregate policies read from their materialised closures, cn-effective evaluated on demand."""
    keys = sorted(r["key"] for r in store.driver.execute_query("MATCH (p:Party) RETURN p.key AS key").records)
    today = date.today()
    out: dict[tuple[str, str], object] = {}
    for name in POLICIES:
        policy = load_policy(name)
        if policy.method == "aggregate":
            materialise.materialise(store, policy, today)
        for key, outcome in verdicts(store, keys, policy, today).items():
            out[name, key] = repr(outcome) if isinstance(outcome, Exception) else outcome.model_dump(mode="json")
    return out


def rejects(path: Path) -> list[list[str]] | None:
    return list(csv.reader(path.open(newline="", encoding="utf-8"))) if path.exists() else None


def summary(of: LoadSummary) -> dict:
    return {k: v for k, v in asdict(of).items() if k != "rejects_file"}


def assert_same(store: Store, settings: Settings, paths: list[Path], tmp_path: Path, batch_size: int = 5000) -> dict:
    """Load `paths` both ways into empty databases; assert the two graphs are the same. Returns the dump."""
    store.clear()
    by_load = load(store, paths, rejects=tmp_path / "load-rejects.csv", batch_size=batch_size, show_progress=False)
    imported = connect(settings)
    try:
        imported.clear()
        result = bulk.bulk_load(settings.model_copy(update={"batch_size": batch_size}), paths,
                                rejects=tmp_path / "bulk-rejects.csv", show_progress=False)
        assert summary(result.summary) == summary(by_load)
        assert rejects(tmp_path / "bulk-rejects.csv") == rejects(tmp_path / "load-rejects.csv")
        imported.close()
        imported = connect(settings)
        expected, got = dump(store), dump(imported)
        for section in expected:
            assert got[section] == expected[section], section
        assert all(row[-1] == "ONLINE" for row in got["indexes"])
        assert all_verdicts(imported) == all_verdicts(store)
    finally:
        imported.close()
    return expected


def test_demo_loads_the_same_graph_both_ways(store, bulk_settings, demo_folder, tmp_path):
    graph = assert_same(store, bulk_settings, [demo_folder], tmp_path)
    assert graph["labels"]["Party"] == 14 and graph["types"]["INTEREST"] == 15


def test_kek_network_loads_the_same_graph_both_ways(store, bulk_settings, tmp_path):
    graph = assert_same(store, bulk_settings, [shared_data("ftm", "followthemoney", "derived", "kek.ftm.jsonl")],
                        tmp_path)
    assert graph["labels"]["Party"] > 1000 and graph["types"]["INTEREST"] > 1000


def test_registry_samples_load_the_same_graph_both_ways_in_small_batches(store, bulk_settings, tmp_path):
    """BODS, GLEIF and PSC together, in batches of 7 records: stakes wait for parties of later batches."""
    graph = assert_same(store, bulk_settings, samples(), tmp_path, batch_size=7)
    merged = [ident for ident in graph["identifiers"] if len(ident[1]) > 1]
    assert graph["types"]["INTEREST"] > 50 and graph["labels"]["Provenance"] > graph["types"]["INTEREST"]
    assert graph["types"]["IDENTIFIES"] > graph["labels"]["Party"]  # parties known by several identifiers
    assert merged == [] or all(len(parties) == 2 for _, parties in merged)


def test_hostile_values_and_merges_load_the_same_graph_both_ways(store, bulk_settings, tmp_path):
    (tmp_path / "data").mkdir()
    graph = assert_same(store, bulk_settings, hostile(tmp_path / "data"), tmp_path, batch_size=2)
    names = {dict(p)["key"][1]: dict(p).get("name") for p in graph["parties"]}
    assert ("str", "Line\nbreak GmbH") in names.values()
    merged = [ident for ident in graph["identifiers"] if len(ident[1]) > 1]
    assert merged, "an identifier that names two parties (a record merging two parties)"
    ends = sorted(dict(row[2])["end"][1].isoformat() for row in graph["listed"] if row[1] == "bis-meu")
    assert ends == ["2020-01-01", "2022-01-01"]  # two memberships of one list with one start, from one record


def test_a_database_that_is_not_empty_is_refused(bulk_settings, demo_folder, tmp_path):
    imported = connect(bulk_settings)
    try:
        imported.clear()
        load(imported, [demo_folder], rejects=tmp_path / "rejects.csv", show_progress=False)
        before = imported.counts()
    finally:
        imported.close()
    with pytest.raises(bulk.BulkRefused, match="not empty"):
        bulk.bulk_load(bulk_settings, [demo_folder], rejects=tmp_path / "bulk-rejects.csv", show_progress=False)
    imported = connect(bulk_settings)
    try:
        assert imported.counts() == before  # untouched, and the server still up
    finally:
        imported.close()


def test_an_external_server_is_refused_with_the_way_to_do_it_there(demo_folder, tmp_path):
    settings = Settings(neo4j_uri="bolt://neo4j.example:7687", data_dir=tmp_path / "none")
    with pytest.raises(bulk.BulkRefused, match="neo4j-admin database import") as refused:
        bulk.bulk_load(settings, [demo_folder], show_progress=False)
    assert "--write-import-files" in str(refused.value) and "--finish-import" in str(refused.value)
    assert not (tmp_path / "none").exists()
