"""What-if verdicts: in memory, against a real Neo4j loaded with the demo, over HTTP and on the command line.
Nothing a what-if asks is ever written."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from builders import ownergraph
from fastapi.testclient import TestClient
from test_flip import demo_network

from ownergraph.api.app import create_app
from ownergraph.graph import evaluate, whatif
from ownergraph.graph.policy import builtin_policies, parse_policy
from ownergraph.loaders.run import load
from ownergraph.settings import Settings

DAY = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[1]
MAJORITY = builtin_policies()["cn-majority"]
CN_PERSONS = parse_policy({"name": "cn-persons", "extends": "cn-majority",
                           "restricted": {"headquarters": ["CN"], "nationalities": ["CN"]}})


def changes(*pairs: tuple[str, str]) -> list[whatif.Change]:
    return [whatif.parse(kind, text) for kind, text in pairs]  # type: ignore[arg-type]


def test_selling_down_to_fifty_clears_and_the_graph_is_untouched():
    network = demo_network()
    before = dict(network.edges)
    compared, _ = whatif.in_network(network, "VANTAGE", changes(("set", "NORDLICHT>RHEINWERK=50")), MAJORITY, DAY)
    assert (compared.before.verdict, compared.after.verdict, compared.changed) == ("restricted", "clear", True)
    assert compared.changes[0].description == "Nordlicht Investments S.a r.l. holds 50% of Rheinwerk Beteiligungs GmbH"
    assert network.edges == before
    assert compared.hypothetical and compared.after.engine == "memory (hypothetical)"


def test_a_range_a_removal_and_a_headquarters_move():
    network = demo_network()
    band, _ = whatif.in_network(network, "BALTIC", changes(("set", "RHEINWERK>BALTIC=>40..45")), MAJORITY, DAY)
    assert (band.before.verdict, band.after.verdict) == ("indeterminate", "restricted")  # 10 + (40, 45] > 50
    moved, _ = whatif.in_network(network, "COBALT", changes(("headquarters", "DRAGON=KY")), MAJORITY, DAY)
    assert moved.after.verdict == "clear"
    control, _ = whatif.in_network(network, "IBERIA", changes(("remove", "DRAGON>IBERIA")), MAJORITY, DAY)
    assert control.after.verdict == "clear" and len(control.changes[0].stakes) == 2
    board, _ = whatif.in_network(network, "IBERIA", changes(("remove", "DRAGON>IBERIA#appointment-of-board")),
                                 MAJORITY, DAY)
    assert board.after.verdict == "clear" and len(board.changes[0].stakes) == 1  # the 20% stays, and is not enough
    assert board.after.restricted_share.max == 20.0


def test_integrated_with_a_new_stake():
    compared, _ = whatif.in_network(demo_network(), "FJORD", changes(("add", "SHENZHEN>FJORD=10")),
                                    builtin_policies()["cn-effective"], DAY)
    assert (compared.before.verdict, compared.after.verdict) == ("clear", "restricted")
    assert compared.after.restricted_share.min == 55.0


@pytest.mark.parametrize(("kind", "text", "message"), [
    ("set", "NORDLICHT>RHEINWERK=150", "share outside 0-100"),
    ("set", "NORDLICHT>RHEINWERK=-1", "share outside 0-100"),
    ("add", "RHEINWERK>RHEINWERK=10", "would hold itself"),
    ("remove", "ALPEN>VANTAGE", "holds no stake"),
    ("set", "NOBODY>VANTAGE=10", "no party has the id 'NOBODY'"),
    ("headquarters", "LIWEI=DE", "is a person"),
    ("headquarters", "DRAGON=China", "not an ISO 3166-1"),
])
def test_bad_changes_name_the_change(kind, text, message):
    with pytest.raises(whatif.ChangeError) as raised:
        whatif.in_network(demo_network(), "VANTAGE", changes((kind, text)), MAJORITY, DAY)
    assert raised.value.field.startswith(f"--{kind} ") and message in str(raised.value)
    assert raised.value.status == 422


def test_a_stake_ended_before_the_date_is_not_counted():
    # Shenzhen (CN) held 30% of Anchor until 2023-07-01: with Dragon Peak's hypothetical 25% that was 55%
    network, added = demo_network(), changes(("add", "DRAGON>ANCHOR=25"))
    then, _ = whatif.in_network(network, "ANCHOR", added, MAJORITY, date(2023, 1, 1))
    assert (then.before.verdict, then.after.verdict, then.after.restricted_share.min) == ("clear", "restricted", 55.0)
    now, _ = whatif.in_network(network, "ANCHOR", added, MAJORITY, DAY)
    assert (now.before.verdict, now.after.verdict, now.after.restricted_share.max) == ("clear", "clear", 25.0)
    raised, _ = whatif.in_network(network, "ANCHOR", changes(("set", "SHENZHEN>ANCHOR=60")), MAJORITY, date(2023, 1, 1))
    assert raised.after.verdict == "restricted"
    with pytest.raises(whatif.ChangeError, match="holds no stake in Anchor Marine Services Ltd on 2026-11-28"):
        whatif.in_network(network, "ANCHOR", changes(("set", "SHENZHEN>ANCHOR=60")), MAJORITY, DAY)


def memory_cli(*args: str) -> subprocess.CompletedProcess:
    """`ownergraph what-if ARGS... --engine memory --data ownergraph/demo` in a child process, no database."""
    done = subprocess.run([sys.executable, "-m", "ownergraph.cli", "what-if", *args, "--engine", "memory",
                           "--data", str(ROOT / "ownergraph" / "demo")], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, NEO4J_URI="", COLUMNS="200"), timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def flip_points(party: str) -> set[tuple[str, str, str, str, str | None]]:
    body = json.loads(memory_cli(party, "--as-of", "2026-11-28", "--flip", "--json").stdout)
    assert body["changes"] == [] and body["before"]["verdict"] == body["after"]["verdict"]
    return {(p["edge"]["owner"], p["edge"]["owned"], p["goal"], p["condition"], p["exact"])
            for p in body["flips"]["points"]}


def test_cli_flip_points_of_vantage_without_changes():
    points = flip_points("VANTAGE")
    assert {("csv:NORDLICHT", "csv:RHEINWERK", "clear", "at_most", "50"),  # 60% must fall to 50% or less
            ("csv:DRAGON", "csv:NORDLICHT", "clear", "at_most", "50"),  # 100% to at most 50%
            ("csv:RHEINWERK", "csv:VANTAGE", "clear", "at_most", "50")} == points


def test_cli_flip_points_of_baltic_without_changes():
    points = flip_points("BALTIC")  # indeterminate: both ways
    assert ("csv:RHEINWERK", "csv:BALTIC", "clear", "at_most", "40") in points  # clear at 40% or less
    assert ("csv:RHEINWERK", "csv:BALTIC", "restricted", "above", "40") in points  # restricted above 40%
    assert ("csv:SHENZHEN", "csv:BALTIC", "clear", "at_most", "0") in points


def test_cli_prints_the_heading_apart_from_the_findings():
    lines = memory_cli("VANTAGE", "--as-of", "2026-11-28").stdout.splitlines()
    at = lines.index("What would it take")
    assert lines[at + 1] == "  What would make Vantage Robotics B.V. clear, one stake at a time (all else as it is):"
    assert lines[at + 2:] == [
        "  - Rheinwerk Beteiligungs GmbH's 100% in Vantage Robotics B.V. must fall to 50% or less for Vantage "
        "Robotics B.V. to be clear.",
        "  - Nordlicht Investments S.a r.l.'s 60% in Rheinwerk Beteiligungs GmbH must fall to 50% or less for "
        "Vantage Robotics B.V. to be clear.",
        "  - Dragon Peak Holdings Ltd's 100% in Nordlicht Investments S.a r.l. must fall to 50% or less for "
        "Vantage Robotics B.V. to be clear."]


def test_the_readme_example_is_what_the_cli_prints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What would it take"):]
    block = section[section.index("```\n$ ownergraph what-if") + 4:]
    block = block[:block.index("```\n")]
    runs = ["$ ownergraph" + run for run in block.split("$ ownergraph")[1:]]
    assert len(runs) == 2
    for run in runs:
        command, _, shown = run.partition("\n")
        args = shlex.split(command)[2:]  # after `$ ownergraph`
        assert args[0] == "what-if" and args[2:5] == ["--engine", "memory", "--data"]
        done = subprocess.run([sys.executable, "-m", "ownergraph.cli", *args], capture_output=True, text=True,
                              cwd=ROOT, env=dict(os.environ, NEO4J_URI="", COLUMNS="200"), timeout=300)
        assert done.returncode == 0, done.stderr
        assert done.stdout == shown, command


# ---- Neo4j, HTTP, CLI -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def loaded(store, demo_folder, tmp_path_factory):
    load(store, [demo_folder], rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    return store


@pytest.fixture(scope="module")
def client(loaded, tmp_path_factory):
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("data")), store=loaded),
                    raise_server_exceptions=False) as c:
        yield c


def counts(store) -> tuple[int, int]:
    with store.driver.session(database=store.database) as session:
        return session.run("MATCH (n) RETURN count(n) AS n").single()["n"], \
            session.run("MATCH ()-[r]->() RETURN count(r) AS n").single()["n"]


def test_a_stake_from_outside_the_cone_brings_its_owners(loaded):
    # Lotus is restricted under cn-persons only through Li Wei, and neither is in Vantage's cone
    asked = changes(("remove", "RHEINWERK>VANTAGE"), ("add", "LOTUS>VANTAGE=60"))
    compared, _ = whatif.in_store(loaded, "VANTAGE", asked, CN_PERSONS, DAY)
    assert (compared.before.verdict, compared.after.verdict) == ("restricted", "restricted")
    assert [e.owner for e in compared.after.paths[0].edges] == ["csv:LIWEI", "csv:LOTUS"]
    only_removed, _ = whatif.in_store(loaded, "VANTAGE", asked[:1], CN_PERSONS, DAY)
    assert only_removed.after.verdict == "clear"


def test_post_what_if_before_and_after_with_flip_points(client, loaded):
    written = counts(loaded)
    answer = client.post("/v1/what-if", json={
        "party": "VANTAGE", "as_of": "2026-11-28", "flips": True,
        "changes": [{"op": "set", "owner": "NORDLICHT", "owned": "RHEINWERK", "share": 50}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["before"]["verdict"], body["after"]["verdict"], body["hypothetical"]) == ("restricted", "clear", True)
    assert body["before"]["explanation"] and body["after"]["explanation"]
    assert body["flips"]["verdict"] == "clear"  # the flip points of the hypothetical graph
    plain = client.post("/v1/what-if", json={"party": "VANTAGE", "as_of": "2026-11-28", "flips": True}).json()
    sentences = [p["sentence"] for p in plain["flips"]["points"]]
    assert ("Nordlicht Investments S.a r.l.'s 60% in Rheinwerk Beteiligungs GmbH must fall to 50% or less for "
            "Vantage Robotics B.V. to be clear.") in sentences
    for party, owner, exact in [("BALTIC", "csv:RHEINWERK", "40"), ("COBALT", "csv:NORDLICHT", "20")]:
        found = client.post("/v1/what-if", json={"party": party, "as_of": "2026-11-28", "flips": True}).json()
        assert (owner, "at_most", exact) in {(p["edge"]["owner"], p["condition"], p["exact"])
                                             for p in found["flips"]["points"]}, found["flips"]
    ranged = client.post("/v1/what-if", json={
        "party": "BALTIC", "as_of": "2026-11-28", "policy": "cn-effective",
        "changes": [{"op": "set", "owner": "RHEINWERK", "owned": "BALTIC",
                     "share": {"min": 25, "max": 100, "min_exclusive": True}}]}).json()
    assert ranged["after"]["verdict"] == "indeterminate"
    assert counts(loaded) == written
    assert evaluate.verdict(loaded, "VANTAGE", MAJORITY, DAY).verdict == "restricted"


@pytest.mark.parametrize(("change", "field"), [
    ({"op": "set", "owner": "NORDLICHT", "owned": "RHEINWERK", "share": 101}, "changes.0.share"),
    ({"op": "set", "owner": "NORDLICHT", "owned": "RHEINWERK", "share": {"min": 60, "max": 40}}, "changes.0.share"),
    ({"op": "add", "owner": "NOBODY", "owned": "RHEINWERK", "share": 10}, "changes.0.owner"),
    ({"op": "remove", "owner": "ALPEN", "owned": "VANTAGE"}, "changes.0"),
    ({"op": "add", "owner": "VANTAGE", "owned": "VANTAGE", "share": 10}, "changes.0"),
    ({"op": "set", "owner": "NORDLICHT", "owned": "RHEINWERK"}, "changes.0.share"),
    ({"op": "headquarters", "party": "DRAGON", "country": "XYZ"}, "changes.0.country"),
])
def test_post_what_if_bad_changes_are_422_naming_the_field(client, change, field):
    answer = client.post("/v1/what-if", json={"party": "VANTAGE", "changes": [change]})
    assert answer.status_code == 422, answer.text
    assert answer.json()["fields"][0]["field"] == field


def test_post_what_if_unknown_party_is_422_naming_it(client):
    answer = client.post("/v1/what-if", json={"party": "NOBODY"})
    assert answer.status_code == 422 and answer.json()["fields"][0]["field"] == "party"


def test_cli_what_if_side_by_side_and_flip_points(loaded, neo4j_server):
    done = ownergraph(neo4j_server, "what-if", "VANTAGE", "--as-of", "2026-11-28", "--set", "NORDLICHT>RHEINWERK=50",
                      "--flip")
    assert "Before" in done.stdout and "After (hypothetical)" in done.stdout and "CLEAR" in done.stdout
    flips = ownergraph(neo4j_server, "what-if", "COBALT", "--as-of", "2026-11-28", "--json")
    body = json.loads(flips.stdout)
    assert {(p["edge"]["owner"], p["condition"], p["exact"]) for p in body["flips"]["points"]} >= {
        ("csv:DRAGON", "at_most", "25"), ("csv:NORDLICHT", "at_most", "20")}
    bad = ownergraph(neo4j_server, "what-if", "VANTAGE", "--set", "NORDLICHT>RHEINWERK=150", check=False)
    assert bad.returncode == 2 and "--set NORDLICHT>RHEINWERK=150: share outside 0-100" in bad.stderr
