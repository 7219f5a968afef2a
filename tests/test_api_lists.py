"""A policy's restricted and indeterminate parties over HTTP, read from its materialised closure (real
Neo4j): 409 before `ownergraph closure`, the demo's lists after it, paging, the status filter, a closure
built for another definition, and the list following a load."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from fastapi.testclient import TestClient

from ownergraph.api.app import create_app
from ownergraph.graph.materialise import materialise
from ownergraph.graph.policy import builtin_policies, load_policy
from ownergraph.loaders.run import load
from ownergraph.settings import Settings


@pytest.fixture(scope="module")
def client(store, demo_folder, tmp_path_factory):
    load(store, [demo_folder], rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    with TestClient(create_app(Settings(data_dir=tmp_path_factory.mktemp("data")), store=store),
                    raise_server_exceptions=False) as c:
        yield c


def every_page(client, policy: str, status: str, limit: int) -> list[dict]:
    items, offset = [], 0
    while True:
        page = client.get(f"/v1/policies/{policy}/parties", params={"status": status, "limit": limit,
                                                                   "offset": offset}).json()
        items += page["items"]
        offset += limit
        if offset >= page["total"]:
            return items


def demo_ids(demo_folder) -> list[str]:
    with open(demo_folder / "entities.csv", encoding="utf-8") as f:
        return [f"csv:{row['id']}" for row in csv.DictReader(f)]


def test_without_a_closure_the_list_says_to_run_ownergraph_closure(client):
    answer = client.get("/v1/policies/cn-majority/parties")
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert body["error"] == "ClosureNotMaterialised" and body["policy"] == "cn-majority"
    assert "ownergraph closure" in body["message"]
    state = client.get("/v1/policies/cn-majority/closure").json()
    assert state["state"] == "none" and state["version"] is None and "ownergraph closure" in state["message"]


def test_the_closure_lists_the_demos_restricted_and_indeterminate_parties(client, store, demo_folder):
    for policy in ("cn-majority", "ofac-50"):
        materialise(store, builtin_policies()[policy])
    restricted = every_page(client, "cn-majority", "restricted", 3)
    assert {p["id"] for p in restricted} == {"csv:DRAGON", "csv:SHENZHEN", "csv:NORDLICHT", "csv:RHEINWERK",
                                             "csv:VANTAGE", "csv:COBALT", "csv:IBERIA"}
    names = [p["name"].lower() for p in restricted]
    assert names == sorted(names)
    by_id = {p["id"]: p for p in restricted}
    assert by_id["csv:DRAGON"]["seed"] and by_id["csv:DRAGON"]["reason"] == "seed" and by_id["csv:DRAGON"]["round"] == 0
    assert by_id["csv:IBERIA"]["reason"] == "control" and by_id["csv:VANTAGE"]["round"] == 3
    undecided = every_page(client, "cn-majority", "indeterminate", 50)
    assert [p["id"] for p in undecided] == ["csv:BALTIC"] and undecided[0]["status"] == "indeterminate"
    # each party's own verdict agrees with the list it is on (or not on)
    for party in demo_ids(demo_folder):
        verdict = client.get(f"/v1/parties/{party}/verdict", params={"policy": "cn-majority"}).json()["verdict"]
        listed = "restricted" if party in by_id else "indeterminate" if party == "csv:BALTIC" else "clear"
        assert verdict == listed, party
    ofac = client.get("/v1/policies/ofac-50/parties").json()
    assert [(p["id"], p["status"]) for p in ofac["items"]] == [("csv:ANCHOR", "restricted"),
                                                               ("csv:VOLGA", "restricted")]
    assert next(p for p in ofac["items"] if p["id"] == "csv:VOLGA")["lists"] == ["ofac-sdn"]


def test_both_statuses_paging_and_the_closure_state(client):
    both = client.get("/v1/policies/cn-majority/parties", params={"limit": 500}).json()
    assert both["status"] is None and both["total"] == 8 == len(both["items"])
    assert both["as_of"] == date.today().isoformat() and both["version"].startswith("cn-majority@")
    assert both["policy_hash"] == builtin_policies()["cn-majority"].hash()
    second = client.get("/v1/policies/cn-majority/parties", params={"limit": 3, "offset": 3}).json()
    assert [p["id"] for p in second["items"]] == [p["id"] for p in both["items"][3:6]]
    beyond = client.get("/v1/policies/cn-majority/parties", params={"offset": 100}).json()
    assert beyond["items"] == [] and beyond["total"] == 8
    state = client.get("/v1/policies/cn-majority/closure").json()
    assert state["state"] == "current" and state["version"] == both["version"]
    assert (state["restricted"], state["indeterminate"]) == (7, 1) and state["computed_at"]


def test_refusals_name_the_reason(client):
    effective = client.get("/v1/policies/cn-effective/parties")
    assert effective.status_code == 409 and "integrated" in effective.json()["message"]
    assert client.get("/v1/policies/cn-effective/closure").json()["state"] == "on-demand"
    unknown = client.get("/v1/policies/nosuch/parties")
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "policy"
    bad = client.get("/v1/policies/cn-majority/parties", params={"status": "clear"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "status"
    assert client.get("/v1/policies/cn-majority/parties", params={"limit": 0}).status_code == 422


def test_a_closure_built_for_another_definition_is_not_listed(client, store, tmp_path):
    other = tmp_path / "cn-majority.yaml"
    other.write_text("name: cn-majority\nextends: cn-majority\nthreshold: 40\n", encoding="utf-8")
    materialise(store, load_policy(other))
    answer = client.get("/v1/policies/cn-majority/parties")
    assert answer.status_code == 409 and "another definition" in answer.json()["message"]
    assert client.get("/v1/policies/cn-majority/closure").json()["state"] == "stale"
    materialise(store, builtin_policies()["cn-majority"])
    assert client.get("/v1/policies/cn-majority/parties").status_code == 200


def test_the_list_follows_a_load(client, store, tmp_path):
    (tmp_path / "entities.csv").write_text("id,name,kind\n", encoding="utf-8")
    (tmp_path / "ownership.csv").write_text("owner,owned,share,interest,start,source\n"
                                            "SHENZHEN,FJORD,10,shareholding,2018-01-01,Bronnoysund register\n",
                                            encoding="utf-8")
    load(store, [tmp_path], rejects=tmp_path / "r.csv", show_progress=False)
    restricted = every_page(client, "cn-majority", "restricted", 50)
    assert "csv:FJORD" in {p["id"] for p in restricted}  # 45% + 10%: the closure was recomputed by the load
