"""Bounds decided exactly at the threshold (SPEC.md §3): exclusive ends under integrated ownership, products
that land a hair from the threshold, shares with more than six decimals. Each case is judged by the
reference engine and by the Cypher engine on Neo4j."""

from __future__ import annotations

import pytest
from builders import TODAY, both, org, person, stake

EFFECTIVE = "cn-effective"
AT_LEAST = {"name": "cn-effective-50", "extends": "cn-effective", "inclusive": True}
SDN = ("ofac-sdn",)


def judge(store, tmp_path, items, party, policy):
    memory, cypher = both(store, items, party, policy, tmp_path=tmp_path)
    assert memory.verdict == cypher.verdict, (memory.explanation, cypher.explanation)
    assert memory.restricted_share == cypher.restricted_share
    return cypher


# integrated ownership with exclusive ends ------------------------------------------------------------

@pytest.mark.parametrize("lo, hi, policy, expected", [
    ("25", "50", EFFECTIVE, "clear"),          # (25, 50] cannot meet > 50
    ("25", "50", AT_LEAST, "indeterminate"),   # ... and may meet >= 50
    ("50", "75", EFFECTIVE, "restricted"),     # (50, 75] meets > 50
    ("75", "100", EFFECTIVE, "restricted"),
])
def test_psc_band_from_a_cn_holder_under_integrated_ownership(store, tmp_path, lo, hi, policy, expected):
    items = [org("S", "CN"), org("Y", "GB"), stake("S", "Y", lo=lo, hi=hi, lo_open=True)]
    assert judge(store, tmp_path, items, "Y", policy).verdict == expected


def test_a_band_through_a_wholly_owned_intermediate_keeps_its_open_end(store, tmp_path):
    # 100% x (50, 75] is still (50, 75]
    items = [org("S", "CN"), org("A", "LU"), org("Y", "GB"),
             stake("S", "A", "100"), stake("A", "Y", lo="50", hi="75", lo_open=True)]
    v = judge(store, tmp_path, items, "Y", EFFECTIVE)
    assert v.verdict == "restricted"
    assert (v.restricted_share.min, v.restricted_share.max) == (50, 75)
    assert v.restricted_share.min_exclusive


def test_an_open_end_without_restricted_weight_leaves_the_bound_closed(store, tmp_path):
    # S holds exactly 50% of Y; B (not restricted, held by no seed) holds a band (25, 50]: E(Y) is exactly 50
    items = [org("S", "CN"), org("B", "GB"), org("Y", "GB"),
             stake("S", "Y", "50"), stake("B", "Y", lo="25", hi="50", lo_open=True)]
    assert judge(store, tmp_path, items, "Y", EFFECTIVE).verdict == "clear"
    assert judge(store, tmp_path, items, "Y", AT_LEAST).verdict == "restricted"


def test_an_exclusive_upper_end_cannot_meet_an_inclusive_threshold(store, tmp_path):
    # S 100% of A; A holds at least 30% and less than 50% of Y: E(Y) < 50
    items = [org("S", "CN"), org("A", "LU"), org("Y", "GB"),
             stake("S", "A", "100"), stake("A", "Y", lo="30", hi="50", hi_open=True)]
    assert judge(store, tmp_path, items, "Y", AT_LEAST).verdict == "clear"


def test_an_open_end_reaching_the_party_through_a_cycle(store, tmp_path):
    # S holds (45, 60] of A; A 100% of B; B 10% of A: E(A) = s / 0.9 in (50, 66.7], and Y (100% of B) too
    items = [org("S", "CN"), org("A", "LU"), org("B", "NL"), org("Y", "GB"),
             stake("S", "A", lo="45", hi="60", lo_open=True), stake("A", "B", "100"), stake("B", "A", "10"),
             stake("B", "Y", "100")]
    assert judge(store, tmp_path, items, "Y", EFFECTIVE).verdict == "restricted"


# products a hair from the threshold -------------------------------------------------------------------

def test_an_integrated_share_a_ten_billionth_above_the_threshold_is_restricted(store, tmp_path):
    # 49.999999% + 0.010001% x 0.01% = 50.0000000001%
    items = [org("S", "CN"), org("A", "LU"), org("Y", "GB"),
             stake("S", "Y", "49.999999"), stake("S", "A", "0.010001"), stake("A", "Y", "0.01")]
    assert judge(store, tmp_path, items, "Y", EFFECTIVE).verdict == "restricted"


@pytest.mark.parametrize("policy, expected", [(EFFECTIVE, "clear"), (AT_LEAST, "restricted")])
def test_an_integrated_share_of_exactly_the_threshold(store, tmp_path, policy, expected):
    # 49.99999% + 1% x 0.001% = 50% exactly (in floating point it is not)
    items = [org("S", "CN"), org("A", "LU"), org("Y", "GB"),
             stake("S", "Y", "49.99999"), stake("S", "A", "1"), stake("A", "Y", "0.001")]
    assert judge(store, tmp_path, items, "Y", policy).verdict == expected


# shares with more than six decimals -------------------------------------------------------------------

@pytest.mark.parametrize("second, expected", [("16.6666667", "restricted"), ("16.6666666", "clear")])
def test_seven_decimals_add_up_exactly_under_the_aggregate_method(store, tmp_path, second, expected):
    items = [person("X", lists=SDN), person("Z", lists=SDN), org("A"),
             stake("X", "A", "33.3333333"), stake("Z", "A", second)]
    v = judge(store, tmp_path, items, "A", "ofac-50")
    assert v.verdict == expected


def test_eight_decimals_through_an_intermediate_under_integrated_ownership(store, tmp_path):
    # 100% x 33.33333333% + 16.66666667% = 50% exactly: clear under > 50, restricted under >= 50
    items = [org("S", "CN"), org("A", "LU"), org("Y", "GB"),
             stake("S", "A", "100"), stake("A", "Y", "33.33333333"), stake("S", "Y", "16.66666667")]
    assert judge(store, tmp_path, items, "Y", EFFECTIVE).verdict == "clear"
    assert judge(store, tmp_path, items, "Y", AT_LEAST).verdict == "restricted"


def test_a_database_of_the_six_decimal_encoding_is_re_encoded_when_the_schema_is_applied(store, tmp_path):
    from builders import load_into

    from ownergraph.graph import evaluate, materialise
    from ownergraph.graph.policy import load_policy
    from ownergraph.graph.reencode import encoded
    from ownergraph.graph.store import SCHEMA_VERSION

    items = [person("X", lists=SDN), person("Z", lists=SDN), org("A"),
             stake("X", "A", "33.3333333"), stake("Z", "A", lo="16.6666667", hi="20", lo_open=True)]
    load_into(store, items, tmp_path)
    old = []  # the interests as schema version 1 stored them: millionths of a percent, scaled by 2**20
    for row in map(encoded, store.stream("meta/shares_interests")):
        lo_units, hi_units = row["lo"] // 2**16 // 100, -(-row["hi"] // (100 * 2**16))
        old.append({"id": row["id"], "lo": lo_units * 2**20 + 1, "hi": hi_units * 2**20})
    store.run("meta/shares_interests_set", rows=old)
    store.run("meta/schema_version_set", version=1)
    assert evaluate.verdict(store, "t:A", "ofac-50", TODAY).verdict == "clear"  # old integers misread
    materialise.materialise(store, load_policy("ofac-50"), TODAY)  # a closure built on the old integers
    store.apply_schema()
    assert store.schema_version() == SCHEMA_VERSION
    assert materialise.current(store, load_policy("ofac-50")) is None  # withdrawn: it says A is clear
    assert evaluate.verdict(store, "t:A", "ofac-50", TODAY).verdict == "restricted"


def test_a_verdict_on_a_database_of_an_older_schema_upgrades_it_first(store, tmp_path):
    """A user who upgrades ownergraph and asks a verdict before any load: read in the new encoding, the
    six-decimal integers would make 33.3% + 16.7% about 8% (a wrong clear); the first statement of a new
    store upgrades the database instead."""
    from builders import load_into

    from ownergraph.graph import evaluate
    from ownergraph.graph.reencode import encoded
    from ownergraph.graph.store import SCHEMA_VERSION, NewerSchema, Store

    store.clear()
    load_into(store, [person("X", lists=SDN), org("A"), stake("X", "A", "60")], tmp_path)
    old = [{"id": row["id"], "lo": row["lo"] // 2**16 // 100 * 2**20, "hi": row["hi"] // 2**16 // 100 * 2**20}
           for row in map(encoded, store.stream("meta/shares_interests"))]
    store.run("meta/shares_interests_set", rows=old)
    store.run("meta/schema_version_set", version=1)
    fresh = Store(store.driver, store.database)  # what each CLI call and each API process opens
    answer = evaluate.verdict(fresh, "t:A", "ofac-50", TODAY)
    assert (answer.verdict, answer.restricted_share.min) == ("restricted", 60.0)
    assert store.schema_version() == SCHEMA_VERSION
    store.run("meta/schema_version_set", version=SCHEMA_VERSION + 1)
    with pytest.raises(NewerSchema, match="newer ownergraph"):
        evaluate.verdict(Store(store.driver, store.database), "t:A", "ofac-50", TODAY)
    store.run("meta/schema_version_set", version=SCHEMA_VERSION)
