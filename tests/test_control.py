"""Company control (Vadalog definition): who controls a party, nearest first, with paths."""

from __future__ import annotations

from builders import TODAY, load_into, org, stake

from ownergraph.graph.evaluate import controllers


def test_controllers_by_joint_holdings_nearest_first(store, tmp_path):
    items = [org("X"), org("A"), org("B"), org("C"), org("M"),
             stake("X", "A", "60"), stake("X", "B", "30"), stake("A", "B", "25"),  # X controls B via A
             stake("B", "C", "51"), stake("M", "C", "49"),
             stake("M", "X", "50")]  # M: exactly 50% is not control
    load_into(store, items, tmp_path)
    found = controllers(store, "t:C", TODAY)
    assert [(c["party"]["id"], c["distance"]) for c in found] == [("t:B", 1), ("t:X", 2)]
    x = found[1]
    assert x["status"] == "controls"
    assert sorted(len(p["edges"]) for p in x["paths"]) == [2, 3]  # X->B->C and X->A->B->C
    assert [c["party"]["id"] for c in controllers(store, "t:B", TODAY)] == ["t:X"]


def test_a_banded_holding_may_control(store, tmp_path):
    items = [org("P"), org("S"), stake("P", "S", lo="25", hi="75", lo_open=True)]
    load_into(store, items, tmp_path)
    [found] = controllers(store, "t:S", TODAY)
    assert found["status"] == "may control"
