"""The quality report after a load: totals, shares over 100%, ownership cycles, parties with no owner."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ownergraph.graph.model import Provenance, StakeRecord
from ownergraph.graph.share import Share
from ownergraph.loaders.quality import render, report
from ownergraph.loaders.run import load
from ownergraph.loaders.sink import RejectsFile, Sink

ROOT = Path(__file__).resolve().parents[1]

ENTITIES = """id,name,kind,jurisdiction,headquarters,nationality
A,Alpha,company,CN,CN,
B,Beta,company,GB,,
C,Gamma,company,GB,,
D,Delta,company,JP,,
E,Epsilon,company,JP,,
F,Foxtrot,company,NL,,
G,Golf,company,DE,,
H,Hotel,company,DE,,
K,Kilo,company,FR,,
L,Lima,company,FR,,
O1,Owner One,company,US-DE,US,
O2,Owner Two,fund,LU,,
P,Pat Person,person,,,GB
Z,Zulu,company,GB,,
W,Whiskey,company,GB,,
V,Victor,company,GB,,
U,Uniform,company,GB,,
T,Tango,company,GB,,
X,X-ray,company,GB,,
"""

OWNERSHIP = """owner,owned,share,share_min,share_max,interest,start,end
A,B,10,,,,,
B,C,10,,,,,
C,A,10,,,,,
D,E,5,,,,,
E,D,5,,,,,
F,F,3,,,,,
G,H,10,,,,,2020-01-01
H,G,10,,,,,
O1,Z,60,,,,,
O2,Z,50,,,,,
O1,W,60,,,,,
O2,W,40,,,,,
O1,V,,>25,50,,,
O2,V,75,,,,,
O1,U,60,,,,,
O2,U,50,,,,,2020-01-01
O1,T,60,,,,,
O2,T,50,,,voting-rights,,
O1,X,0.2,,,,,
O2,X,83.9,,,,,
P,X,15.9,,,,,
"""


@pytest.fixture(scope="module")
def loaded(store, tmp_path_factory):
    """The fixture graph above, plus K and L declaring interests in each other (never counted)."""
    store.clear()
    folder = tmp_path_factory.mktemp("quality")
    (folder / "entities.csv").write_text(ENTITIES)
    (folder / "ownership.csv").write_text(OWNERSHIP)
    summary = load(store, [folder], rejects=folder / "rejects.csv", show_progress=False)
    assert summary.rejected_total == 0
    sink = Sink(store, RejectsFile(folder / "rejects-declarations.csv"))
    for owner, owned in (("K", "L"), ("L", "K")):
        sink.add(StakeRecord(f"csv:{owner}", f"csv:{owned}", Provenance("test", f"{owner}{owned}"),
                             share=Share.exact(Decimal(40)), counted=False, declares="indirect"))
    assert sink.finish().interests_new == 2
    return store


def test_totals_count_parties_by_kind_and_interests_counted_apart_from_declarations(loaded):
    rep = report(loaded)
    assert (rep.parties, rep.persons, rep.organisations) == (19, 1, 18)
    assert rep.counted_interests == 21
    assert rep.declarations == 2
    assert rep.counted_not_in_force == 2  # G->H and O2->U ended in 2020


def test_owners_shares_over_100_percent_are_reported_with_their_sums(loaded):
    rep = report(loaded)
    found = {o.party.key: o for o in rep.over_allocated_examples}
    # W sums to exactly 100; U's second owner left in 2020; T's 50% are voting rights;
    # X is 0.2 + 83.9 + 15.9, exactly 100, though floating point makes it 100.00000000000001
    assert set(found) == {"csv:Z", "csv:V"}
    assert rep.over_allocated == 2
    assert (found["csv:Z"].total, found["csv:Z"].exclusive, found["csv:Z"].owners) == (Decimal(110), False, 2)
    # more than 25% plus 75% is more than 100%
    assert (found["csv:V"].total, found["csv:V"].exclusive) == (Decimal(100), True)
    assert [o.party.key for o in rep.over_allocated_examples] == ["csv:Z", "csv:V"]  # the largest first


def test_ownership_cycles_are_groups_of_parties_holding_each_other_named_as_rings(loaded):
    rep = report(loaded)
    # A->B->C->A and D<->E; F holding itself is apart; G<->H ended in 2020; K<->L are declarations
    assert (rep.cycle_groups, rep.cycle_parties) == (2, 5)
    rings = [[p.key for p in c.ring] for c in rep.cycle_examples]
    assert rings == [["csv:A", "csv:B", "csv:C"], ["csv:D", "csv:E"]]
    assert rep.cycle_examples[0].describe() == \
        "Alpha [csv:A] -> Beta [csv:B] -> Gamma [csv:C] -> Alpha [csv:A]"
    assert rep.self_holdings == 1
    assert [p.key for p in rep.self_holding_examples] == ["csv:F"]


def test_a_past_date_sees_the_cycles_and_sums_in_force_then(loaded):
    rep = report(loaded, as_of=date(2019, 6, 1))
    assert (rep.cycle_groups, rep.cycle_parties) == (3, 7)  # G<->H still held each other
    assert {o.party.key for o in rep.over_allocated_examples} == {"csv:Z", "csv:V", "csv:U"}


def test_organisations_with_no_owner_are_counted_and_persons_are_not(loaded):
    # O1 and O2 own others but nobody owns them; F holds only itself; P is a person
    assert report(loaded).unowned == 3


def test_render_gives_the_figures_and_names_the_examples(loaded):
    text = "\n".join(render(report(loaded)))
    assert "parties: 19 (18 organisations, 1 person)" in text
    assert "21 counted (2 of them not in force), 2 declarations" in text
    assert "2 parties whose owners' shareholdings add up to more than 100%" in text
    assert "Zulu [csv:Z]: 110% from 2 owners" in text
    assert "Victor [csv:V]: more than 100% from 2 owners" in text
    assert "2 groups of parties that hold each other, 5 parties in all" in text
    assert "Delta [csv:D] -> Epsilon [csv:E] -> Delta [csv:D]" in text
    assert "Foxtrot [csv:F]" in text
    assert "no known owner: 3 organisations" in text


def test_a_ring_through_a_larger_group_follows_real_holdings(store, tmp_path):
    """In M1->M2->M3->M4->M1 with M3->M1 as well, the ring shown is M1->M2->M3->M1, and the group is 4."""
    store.clear()
    (tmp_path / "entities.csv").write_text("id,name\nM1,One\nM2,Two\nM3,Three\nM4,Four\n")
    (tmp_path / "ownership.csv").write_text("owner,owned,share\nM1,M2,10\nM2,M3,10\nM3,M4,10\nM4,M1,10\nM3,M1,5\n")
    load(store, [tmp_path], rejects=tmp_path / "rejects.csv", show_progress=False)
    rep = report(store)
    assert (rep.cycle_groups, rep.cycle_parties) == (1, 4)
    assert [p.key for p in rep.cycle_examples[0].ring] == ["csv:M1", "csv:M2", "csv:M3"]
    assert rep.cycle_examples[0].describe().endswith("(a group of 4 parties)")


def test_the_irregularities_planted_in_a_synthetic_graph_are_the_ones_reported(store, tmp_path):
    store.clear()
    folder = tmp_path / "synthetic"
    subprocess.run([sys.executable, "-m", "benchmarks.synthetic", "--parties", "3000", "--out", str(folder),
                    "--seed", "7"], cwd=ROOT, check=True, capture_output=True)
    manifest = json.loads((folder / "manifest.json").read_text())
    summary = load(store, [folder], rejects=tmp_path / "rejects.csv", show_progress=False)
    assert summary.rejected_total == 0
    rep = report(store)
    assert rep.parties == manifest["parties"]
    assert rep.counted_interests == manifest["interests"]
    assert rep.counted_not_in_force == manifest["ended"]
    planted = {frozenset(f"csv:{i}" for i in ring) for ring in manifest["cycles"]}
    assert rep.cycle_groups == len(planted) and rep.cycle_parties == sum(len(r) for r in planted)
    assert {frozenset(p.key for p in c.ring) for c in rep.cycle_examples} == planted
    assert [p.key for p in rep.self_holding_examples] == [f"csv:{i}" for i in manifest["self_holdings"]]
    assert {o.party.key: float(o.total) for o in rep.over_allocated_examples} == \
        {f"csv:{i}": total for i, total in manifest["over_allocated"].items()}



def test_the_load_command_prints_the_report_and_the_quality_command_takes_a_date(store, neo4j_server, tmp_path):
    from builders import ownergraph

    store.clear()
    (tmp_path / "entities.csv").write_text(ENTITIES)
    (tmp_path / "ownership.csv").write_text(OWNERSHIP)
    out = ownergraph(neo4j_server, "load", str(tmp_path), "--rejects", str(tmp_path / "rejects.csv")).stdout
    assert "Quality of the graph" in out
    assert "2 groups of parties that hold each other, 5 parties in all" in out
    assert "Alpha [csv:A] -> Beta [csv:B] -> Gamma [csv:C] -> Alpha [csv:A]" in out
    assert "no known owner: 5 organisations" in out  # O1, O2, F, and K and L (no declarations here)
    # before 2020 G and H still held each other, and U's owners added up to 110%
    past = ownergraph(neo4j_server, "quality", "--as-of", "2019-06-01").stdout
    assert "in force on 2019-06-01" in past
    assert "3 groups of parties that hold each other, 7 parties in all" in past
    assert "Uniform [csv:U]: 110% from 2 owners" in past
    quiet = ownergraph(neo4j_server, "load", str(tmp_path), "--no-quality",
                       "--rejects", str(tmp_path / "again.csv")).stdout
    assert "Quality of the graph" not in quiet
