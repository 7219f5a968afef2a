"""A load after `ownergraph closure` never leaves a verdict answered from the closure as it was before the
load: verdict, screening and the API read a closure that reflects the load (or evaluate on demand), both
when a stake grows (no stale "clear") and when one is sold down (no stale "restricted")."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from builders import ownergraph
from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.graph import evaluate, materialise
from ownergraph.graph.policy import load_policy
from ownergraph.loaders.run import load
from ownergraph.screening.rows import Row, screen
from ownergraph.settings import Settings

ENTITIES = ("id,name,kind,jurisdiction,headquarters,nationality,lists\n"
            "S,Summit Holdings,company,KY,CN,,\nA,Alster GmbH,company,DE,DE,,\nX,Xanten B.V.,company,NL,NL,,\n")


def folder(base: Path, name: str, ownership: str, entities: bool = True) -> Path:
    target = base / name
    target.mkdir()
    (target / "entities.csv").write_text(ENTITIES if entities else ENTITIES.splitlines()[0] + "\n")
    (target / "ownership.csv").write_text("owner,owned,share\n" + ownership)
    return target


def first_load_and_closure(store, tmp_path: Path, ownership: str) -> None:
    store.clear()
    load(store, [folder(tmp_path, "first", ownership)], rejects=tmp_path / "r1.csv", show_progress=False)
    materialise.materialise(store, load_policy("cn-majority"))


def second_load(store, tmp_path: Path, ownership: str) -> None:
    load(store, [folder(tmp_path, "second", ownership, entities=False)], rejects=tmp_path / "r2.csv",
         show_progress=False)


def answers(store, tmp_path: Path) -> dict[str, dict[str, tuple[str, float]]]:
    """Verdict and restricted share of A and X as the library, screening and the API give them."""
    policy = load_policy("cn-majority")
    out: dict[str, dict[str, tuple[str, float]]] = {"verdict": {}, "screen": {}, "api": {}}
    for party in ("A", "X"):
        v = evaluate.verdict(store, party, policy)
        out["verdict"][party] = (v.verdict, v.restricted_share.min)
    rows = [Row(ref=p, id=p) for p in ("A", "X")]
    for result in screen(store, rows, lambda key: evaluate.verdict(store, key, policy).model_dump(mode="json")):
        out["screen"][result["input"]["ref"]] = (result["verdict"]["verdict"],
                                                 result["verdict"]["restricted_share"]["min"])
    with TestClient(create_app(Settings(data_dir=tmp_path / "api"), store=store)) as client:
        for party in ("A", "X"):
            body = client.get(f"/v1/parties/{party}/verdict").json()
            out["api"][party] = (body["verdict"], body["restricted_share"]["min"])
    return out


def test_a_stake_raised_after_the_closure_is_restricted_everywhere(store, tmp_path):
    first_load_and_closure(store, tmp_path, "S,A,40\nA,X,60\nS,X,30\n")
    assert answers(store, tmp_path)["verdict"] == {"A": ("clear", 40), "X": ("clear", 30)}
    second_load(store, tmp_path, "S,A,60\n")  # the same stake, a new share
    expected = {"A": ("restricted", 60), "X": ("restricted", 90)}
    assert answers(store, tmp_path) == {"verdict": expected, "screen": expected, "api": expected}
    # read from the closure, recomputed by the load (not evaluated on demand because it was withdrawn)
    info = materialise.current(store, load_policy("cn-majority"))
    assert info is not None and info["restricted"] == 3


def test_a_stake_sold_down_after_the_closure_is_clear_everywhere(store, tmp_path):
    first_load_and_closure(store, tmp_path, "S,A,60\nA,X,60\nS,X,30\n")
    assert answers(store, tmp_path)["verdict"] == {"A": ("restricted", 60), "X": ("restricted", 90)}
    second_load(store, tmp_path, "S,A,40\n")
    expected = {"A": ("clear", 40), "X": ("clear", 30)}
    assert answers(store, tmp_path) == {"verdict": expected, "screen": expected, "api": expected}
    assert materialise.current(store, load_policy("cn-majority"))["restricted"] == 1


def test_the_cli_verdict_after_a_second_load(store, neo4j_server, tmp_path):
    store.clear()
    first = folder(tmp_path, "first", "S,A,40\nA,X,60\nS,X,30\n")
    ownergraph(neo4j_server, "load", str(first), "--rejects", str(tmp_path / "r1.csv"))
    ownergraph(neo4j_server, "closure")
    assert json.loads(ownergraph(neo4j_server, "verdict", "X", "--json").stdout)["verdict"] == "clear"
    second = folder(tmp_path, "second", "S,A,60\n", entities=False)
    ownergraph(neo4j_server, "load", str(second), "--rejects", str(tmp_path / "r2.csv"))
    out = json.loads(ownergraph(neo4j_server, "verdict", "X", "--json").stdout)
    assert (out["verdict"], out["restricted_share"]["min"]) == ("restricted", 90)
    screened = tmp_path / "list.csv"
    screened.write_text("ref,id\n1,A\n2,X\n")
    rows = csv.DictReader(io.StringIO(ownergraph(neo4j_server, "screen", str(screened)).stdout))
    assert [(r["ref"], r["verdict"], r["restricted_share_min"]) for r in rows] == [
        ("1", "restricted", "60.0"), ("2", "restricted", "90.0")]



def test_a_closure_of_a_policy_file_is_recomputed_by_a_load(store, tmp_path):
    """A closure built from a policy file (not a built-in) keeps its definition, so a load recomputes it too."""
    path = tmp_path / "cn-holdings.yaml"
    path.write_text("name: cn-holdings\nextends: cn-majority\ndescription: CN-headquartered holders\n")
    policy = load_policy(path)
    store.clear()
    load(store, [folder(tmp_path, "first", "S,A,40\nA,X,60\nS,X,30\n")], rejects=tmp_path / "r1.csv",
         show_progress=False)
    materialise.materialise(store, policy)
    assert evaluate.verdict(store, "X", policy).verdict == "clear"
    second_load(store, tmp_path, "S,A,60\n")
    info = materialise.current(store, policy)
    assert info is not None and info["restricted"] == 3  # recomputed, not withdrawn
    v = evaluate.verdict(store, "X", policy)
    assert (v.verdict, v.restricted_share.min) == ("restricted", 90)


def test_a_load_that_dies_leaves_the_closure_withdrawn_until_rebuilt(store, tmp_path, monkeypatch):
    """A load that dies after its writes and before its closures are recomputed (its touched parties are
    lost with it): readers evaluate on demand, never the closure as it was, and the next load, which
    touches only X, rebuilds the closure in full (an incremental recompute from X would keep A clear)."""
    from ownergraph.graph import writes

    first_load_and_closure(store, tmp_path, "S,A,40\nA,X,60\nS,X,30\n")

    def dies(*args, **kwargs):
        raise KeyboardInterrupt  # the process stops between its last write and the recompute

    with monkeypatch.context() as patch:
        patch.setattr(writes, "finish", dies)
        try:
            second_load(store, tmp_path, "S,A,60\n")
        except KeyboardInterrupt:
            pass
        else:
            raise AssertionError("the load did not stop")
    assert materialise.current(store, load_policy("cn-majority")) is None
    expected = {"A": ("restricted", 60), "X": ("restricted", 90)}
    assert answers(store, tmp_path) == {"verdict": expected, "screen": expected, "api": expected}  # on demand
    load(store, [folder(tmp_path, "third", "A,X,60\n", entities=False)], rejects=tmp_path / "r3.csv",
         show_progress=False)
    info = materialise.current(store, load_policy("cn-majority"))
    assert info is not None and info["restricted"] == 3
    assert answers(store, tmp_path) == {"verdict": expected, "screen": expected, "api": expected}
