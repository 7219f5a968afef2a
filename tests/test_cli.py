"""The command line against a real Neo4j: the demo's Cayman holding and its layered subsidiaries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ownergraph

ROOT = Path(__file__).resolve().parents[1]




@pytest.fixture(scope="module")
def demo_loaded(store, neo4j_server, demo_folder, tmp_path_factory):
    store.clear()
    rejects = tmp_path_factory.mktemp("rejects") / "r.csv"
    out = ownergraph(neo4j_server, "load", str(demo_folder), "--rejects", str(rejects))
    assert "14 new" in out.stdout
    return neo4j_server


def test_layered_european_subsidiary_of_a_cayman_china_holding_is_restricted(demo_loaded):
    out = json.loads(ownergraph(demo_loaded, "verdict", "VANTAGE", "--json").stdout)
    assert set(out) >= {"entity", "policy", "policy_hash", "as_of", "verdict", "reason", "restricted_share",
                        "threshold", "paths", "explanation"}
    assert out["verdict"] == "restricted" and out["reason"] == "ownership" and out["policy"] == "cn-majority"
    assert out["threshold"] == {"value": 50.0, "inclusive": False}
    [path] = out["paths"]
    assert [(e["owner"], e["owned"]) for e in path["edges"]] == [
        ("csv:DRAGON", "csv:NORDLICHT"), ("csv:NORDLICHT", "csv:RHEINWERK"), ("csv:RHEINWERK", "csv:VANTAGE")]
    assert all(e["sources"] and e["sources"][0]["record"].startswith("line ") for e in path["edges"])
    assert out["explanation"][0] == ("Dragon Peak Holdings Ltd (headquartered in CN) holds 100% of "
                                     "Nordlicht Investments S.a r.l., which is therefore restricted.")


def test_us_subsidiary_is_restricted_by_aggregation(demo_loaded):
    out = json.loads(ownergraph(demo_loaded, "verdict", "COBALT", "--json").stdout)
    assert out["verdict"] == "restricted"
    assert out["restricted_share"]["min"] == 55.0
    assert len(out["paths"]) == 2


def test_clear_verdict_gives_the_margin_and_the_holders_in_words(demo_loaded):
    out = ownergraph(demo_loaded, "verdict", "FJORD").stdout
    assert "CLEAR" in out and "45%" in out and "5 percentage points" in out


def test_divested_sdn_stake_and_policy_by_name(demo_loaded):
    out = json.loads(ownergraph(demo_loaded, "verdict", "ANCHOR", "--policy", "ofac-50", "--json").stdout)
    assert out["verdict"] == "restricted" and out["threshold"]["inclusive"] is True


def test_policy_file_with_extends(demo_loaded, tmp_path):
    policy = tmp_path / "cn-persons.yaml"
    policy.write_text("name: cn-persons\nextends: cn-majority\nrestricted:\n  headquarters: [CN, HK, MO]\n"
                      "  nationalities: [CN]\n  lists: []\n")
    out = json.loads(ownergraph(demo_loaded, "verdict", "LOTUS", "--policy", str(policy), "--json").stdout)
    assert out["verdict"] == "restricted" and out["policy"] == "cn-persons"
    plain = json.loads(ownergraph(demo_loaded, "verdict", "LOTUS", "--json").stdout)
    assert plain["verdict"] == "clear" and plain["policy_hash"] != out["policy_hash"]


def test_bad_policy_file_names_the_field(demo_loaded, tmp_path):
    policy = tmp_path / "bad.yaml"
    policy.write_text("name: bad\nextends: cn-majority\nthreshold: 150\n")
    done = ownergraph(demo_loaded, "verdict", "LOTUS", "--policy", str(policy), check=False)
    assert done.returncode == 2 and "threshold" in done.stderr


def test_unknown_id_is_an_error_naming_it(demo_loaded):
    done = ownergraph(demo_loaded, "verdict", "NOPE", check=False)
    assert done.returncode == 2 and "NOPE" in done.stderr


def test_memory_engine_gives_the_same_verdict_without_a_database(demo_folder):
    done = subprocess.run([sys.executable, "-m", "ownergraph.cli", "verdict", "BALTIC", "--engine", "memory",
                           "--data", str(demo_folder), "--json"], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, NEO4J_URI=""))
    out = json.loads(done.stdout)
    assert out["verdict"] == "indeterminate" and out["engine"] == "memory"
    assert out["restricted_share"] == {"min": 35.0, "max": 60.0, "min_exclusive": True, "max_exclusive": False}
