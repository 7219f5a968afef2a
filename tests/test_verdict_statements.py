"""A verdict read from a materialised closure costs one statement: the id, the closure version, the
Verdict node, the proof tree and the version again; clear and restricted parties alike. Screening a whole
file reads its matches' verdicts in one statement too. Verdicts are those of the multi-statement read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from ownergraph.graph import evaluate, materialise
from ownergraph.graph.errors import UnknownParty
from ownergraph.graph.parties import resolve
from ownergraph.graph.policy import load_policy
from ownergraph.graph.store import Store
from ownergraph.loaders.run import load
from ownergraph.screening.rows import Row, screen

TODAY = date.today()


@dataclass
class CountingStore(Store):
    """The test's Store, counting the statements it sends."""

    sent: list[str] = field(default_factory=list)

    def run(self, name: str, **params: Any) -> list[dict]:
        self.sent.append(name)
        return super().run(name, **params)


@pytest.fixture(scope="module")
def demo(store, demo_folder, tmp_path_factory) -> CountingStore:
    load(store, [demo_folder], rejects=tmp_path_factory.mktemp("rejects") / "r.csv", show_progress=False)
    for name in ("cn-majority", "ofac-50"):
        materialise.materialise(store, load_policy(name), TODAY)
    return CountingStore(store.driver, store.database)


@pytest.mark.parametrize(("party_id", "expected"), [("FJORD", "clear"), ("VANTAGE", "restricted"),
                                                     ("BALTIC", "indeterminate")])
def test_one_statement_per_materialised_verdict(demo: CountingStore, party_id: str, expected: str) -> None:
    policy = load_policy("cn-majority")
    demo.sent.clear()
    got = evaluate.verdict(demo, party_id, policy, TODAY)
    assert demo.sent == ["read/verdicts_materialised"]
    assert (got.verdict, got.engine) == (expected, "cypher-materialised")
    before = materialise.read_verdict(demo, resolve(demo, party_id)["key"], policy, materialise.current(demo, policy))
    assert got.model_dump(mode="json") == before.model_dump(mode="json")


def test_every_demo_party_reads_as_before(demo: CountingStore, demo_folder) -> None:
    ids = [line.split(",")[0] for line in (demo_folder / "entities.csv").read_text().splitlines()[1:]]
    for name in ("cn-majority", "ofac-50"):
        policy = load_policy(name)
        info = materialise.current(demo, policy)
        demo.sent.clear()
        batch = evaluate.verdicts(demo, ids, policy, TODAY)
        assert demo.sent == ["read/verdicts_materialised"]
        for party_id in ids:
            before = materialise.read_verdict(demo, resolve(demo, party_id)["key"], policy, info)
            assert batch[party_id].model_dump(mode="json") == before.model_dump(mode="json"), party_id


def test_unknown_id_and_closure_of_another_day(demo: CountingStore) -> None:
    with pytest.raises(UnknownParty):
        evaluate.verdict(demo, "NO-SUCH-PARTY", "cn-majority", TODAY)
    other_day = evaluate.verdict(demo, "NORDLICHT", "cn-majority", date(2020, 1, 1))
    assert other_day.engine == "cypher"  # the closure is of today: evaluated on demand


def test_screening_reads_verdicts_in_one_statement(demo: CountingStore) -> None:
    rows = [Row(ref=str(i), id=party_id) for i, party_id in enumerate(["FJORD", "NORDLICHT", "DRAGON", "NORDLICHT"])]
    demo.sent.clear()
    results = screen(demo, rows, None, verdicts_of=lambda keys: {
        k: v.model_dump(mode="json") for k, v in evaluate.verdicts(demo, keys, "cn-majority", TODAY).items()})
    assert [r["verdict"]["verdict"] for r in results] == ["clear", "restricted", "restricted", "restricted"]
    assert demo.sent.count("read/verdicts_materialised") == 1
    assert len(demo.sent) <= 2  # the identifiers of all rows in one statement too


def test_screening_names_in_one_statement(demo: CountingStore) -> None:
    rows = [Row(ref="1", name="NORDLICHT INVESTMENTS SARL"), Row(ref="2", name="Fjord Sensors"),
            Row(ref="3", id="NO-SUCH-ID", name="Dragon Peak Holdings")]
    demo.sent.clear()
    results = screen(demo, rows, None, verdicts_of=lambda keys: {
        k: v.model_dump(mode="json") for k, v in evaluate.verdicts(demo, keys, "cn-majority", TODAY).items()})
    assert [r["match"] for r in results] == ["name", "name", "name"]
    assert [r["verdict"]["verdict"] for r in results] == ["restricted", "clear", "restricted"]
    assert sorted(demo.sent) == ["read/screen_identifiers", "read/screen_names", "read/verdicts_materialised"]
