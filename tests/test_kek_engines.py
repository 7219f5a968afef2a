"""The KEK German media ownership network (real percentages, real cycles) judged by both engines."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from conftest import shared_data

from ownergraph.graph import cypher_engine, explain, materialise, reference
from ownergraph.graph.policy import parse_policy
from ownergraph.loaders.memory import network as from_paths
from ownergraph.loaders.run import load

AS_OF = date(2024, 1, 1)
POLICIES = [
    parse_policy({"name": "us-majority", "restricted": {"headquarters": ["US"]}, "threshold": 50,
                  "inclusive": False, "measured": ["shareholding", "voting-rights"]}),
    parse_policy({"name": "au-us-at-least-25", "restricted": {"headquarters": ["US", "AU"]}, "threshold": 25,
                  "inclusive": True, "measured": ["shareholding"]}),
    parse_policy({"name": "us-effective", "restricted": {"headquarters": ["US"]}, "threshold": 50,
                  "inclusive": False, "method": "integrated", "measured": ["shareholding"]}),
]


@pytest.fixture(scope="module")
def kek(store, tmp_path_factory):
    """KEK, plus a CSV that places its 12 largest holders and every 50th party in the US or AU.

    KEK carries no countries; the CSV names the parties by their FtM ids (`ftm:<id>`), so its rows meet
    the KEK parties, as a registry extract about the same companies would.
    """
    path = shared_data("ftm", "followthemoney", "derived", "kek.ftm.jsonl")
    plain = from_paths([path], "ftm")
    holdings = Counter(e.owner for e in plain.edges.values())
    chosen = [k for k, _ in holdings.most_common(12)] + sorted(plain.parties)[::50]
    folder = tmp_path_factory.mktemp("kek-seeds")
    rows = [f"{key},,company,,{'US' if i % 3 else 'AU'}" for i, key in enumerate(dict.fromkeys(chosen))]
    (folder / "entities.csv").write_text("id,name,kind,jurisdiction,headquarters\n" + "\n".join(rows) + "\n")
    store.clear()
    load(store, [path], fmt="ftm", rejects=folder / "rejects.csv", show_progress=False)
    load(store, [folder], fmt="csv", rejects=folder / "rejects.csv", show_progress=False)
    return from_paths([path, folder])


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_both_engines_agree_on_every_kek_party(store, kek, policy):
    expected = reference.evaluate(kek, policy, AS_OF)
    statuses = {k: s.status for k, s in expected.standings.items()}
    assert sum(s != "clear" for s in statuses.values()) > 0, "the policy should restrict some KEK parties"
    if policy.method == "aggregate":
        materialise.materialise(store, policy, AS_OF)
        info = materialise.current(store, policy)
        rows = store.driver.execute_query(
            "MATCH (v:Verdict {policy: $version}) RETURN v.party AS key, v.sure_round AS sure, v.possible_round AS possible",
            version=info["version"]).records
        stored = {r["key"]: ("restricted" if r["sure"] is not None else "indeterminate") for r in rows}
        assert stored == {k: s for k, s in statuses.items() if s != "clear"}
    # on demand, for the parties on the cycles and a spread of others
    cyclic = [k for k in kek.parties if any(e.owner == k for e in kek.edges.values())
              and any(e.owned == k for e in kek.edges.values())]
    for key in sorted(cyclic)[:40] + sorted(kek.parties)[::97]:
        network, closure = cypher_engine.evaluate_party(store, key, policy, AS_OF)
        got = explain.build(network, closure, key, "cypher")
        want = explain.build(kek, expected, key, "memory")
        assert got.verdict == want.verdict, key
        if policy.method == "integrated":
            assert got.restricted_share.min == pytest.approx(want.restricted_share.min, abs=1e-9)
        else:
            assert got.restricted_share == want.restricted_share, key
