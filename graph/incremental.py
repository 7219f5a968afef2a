"""Incremental recompute of the materialised closures after a refresh.

The closure is a least fixpoint, and a party's standing depends only on its upstream cone. So when some
interests change (new, ended, changed) and some parties change (seed predicates: country, nationality,
lists), only the parties downstream of them can change standing: the *region*, grown from the owned
party of every changed interest and every changed party along counted interests in force on the new
date. Outside the region every party's cone is untouched, and so is its standing.

The region's marks and Verdict nodes are dropped, then the rounds are re-run restricted to the region,
seeded by the seeds inside it plus the restricted owners outside it that hold into it. The result is the
closure a full `materialise` computes (tests hold the two, and the reference engine, to the same
standings); only the round numbers differ: region entrants are numbered after the rounds of the
closure they join, so proofs still read from seeds down.

Moving a closure to a new date changes whether interests and list memberships that start or end in
between are in force: those count as changed too. While a region is recomputed the policy's closure is
withdrawn from readers (they evaluate on demand, which is always right) and given back with one write.
A recompute interrupted half-way leaves the closure withdrawn; the next update rebuilds it in full, and
logs changes against the region's standings as they were kept (ClosureBefore) before it was touched.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ownergraph.graph import writers
from ownergraph.graph.cypher_engine import BOUNDS, round_params, seed_params
from ownergraph.graph.materialise import drop, materialise, write_marks
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import CLEAR, INDETERMINATE, RESTRICTED
from ownergraph.graph.store import Store, native, pages

PAGE = 5_000
MAX_CAUSES = 5  # changed interests or parties kept per party as the cause of its change


@dataclass
class Change:
    """A party whose materialised standing under a policy changed."""

    policy: str
    policy_hash: str
    party: str
    old: str
    new: str
    as_of: date
    causes: list[str] = field(default_factory=list)  # changed interest keys, "party:<key>", "list:<key>:<list>"
    witness: list[str] = field(default_factory=list)  # the interests that made (or had made) it restricted


@dataclass
class Update:
    policy: str
    mode: str  # incremental | full | baseline
    as_of: date
    region: int = 0
    restricted: int = 0
    indeterminate: int = 0
    seconds: float = 0.0
    changes: list[Change] = field(default_factory=list)


Roots = dict[str, set[str]]  # party key -> causes


def status(sure_round, possible_round) -> str:
    if sure_round is not None:
        return RESTRICTED
    if possible_round is not None:
        return INDETERMINATE
    return CLEAR


def update(store: Store, policies: list[Policy], roots: Roots, as_of: date,
           record: Callable[[list[Change]], None] = lambda changes: None, token: str | None = None) -> list[Update]:
    """Bring each policy's materialised closure to `as_of` after the given parties changed. `record`
    receives each policy's verdict changes before its closure is given back to readers, so a run stopped
    in between finds them again (the closure is still withdrawn) and records them once. `token` is the
    write (graph/writes.py) that withdrew the closures: they are given back unless another write is under
    way. A closure marked dirty (a write whose changes are not known) is rebuilt in full."""
    regions: dict[date | None, Roots] = {}
    out = []
    for policy in policies:
        if policy.method != "aggregate":
            continue
        began = time.monotonic()
        state = closure_state(store, policy)
        if state is None or state["version"] is None or state["updating"] is not None \
                or state["dirty"] or state["policy_hash"] != policy.hash():
            result = rebuild(store, policy, as_of, state, roots, record, token)
        else:
            before = state["as_of"]
            if before not in regions:
                regions[before] = merge(roots, window(store, before, as_of))
            affected = region(store, regions[before], as_of, f"{state['version']}#possible")
            result = recompute(store, policy, state, affected, as_of, record, token)
        result.seconds = time.monotonic() - began
        out.append(result)
    return out


def closure_state(store: Store, policy: Policy) -> dict | None:
    rows = store.run("refresh/closure_state", policy=policy.name)
    if not rows or (rows[0]["version"] is None and rows[0]["updating"] is None):
        return None
    row = dict(rows[0])
    row["as_of"] = native(row["as_of"])
    return row


def merge(*parts: Roots) -> Roots:
    out: Roots = defaultdict(set)
    for part in parts:
        for key, causes in part.items():
            out[key] |= causes
    return dict(out)


def window(store: Store, before: date, after: date) -> Roots:
    """Parties whose interests or listings come into force or lapse between two dates."""
    if before == after:
        return {}
    low, high = min(before, after), max(before, after)
    out: Roots = defaultdict(set)
    for row in store.run("refresh/window_interests", after=low, until=high):
        out[row["key"]].add(row["interest"])
    for row in store.run("refresh/window_listings", after=low, until=high):
        out[row["key"]].add(f"list:{row['key']}:{row['list']}")
    return dict(out)


def region(store: Store, roots: Roots, as_of: date, mark: str | None = None) -> Roots:
    """The roots and every party downstream of them on `as_of`, each with (some of) its causes; with a
    closure mark, only downstream through members of that closure (whose standing may rest on a change)."""
    causes: Roots = {k: set(sorted(v)[:MAX_CAUSES]) for k, v in roots.items()}
    frontier = sorted(causes)
    while frontier:
        grown = []
        for page in pages(frontier, PAGE):
            rows = store.run("refresh/downstream", frontier=page, as_of=as_of) if mark is None \
                else store.run("refresh/downstream_members", frontier=page, as_of=as_of, mark=mark)
            for row in rows:
                key, inherited = row["key"], causes[row["holder"]]
                mine = causes.get(key)
                if mine is None:
                    causes[key] = set(sorted(inherited)[:MAX_CAUSES])
                    grown.append(key)
                elif len(mine) < MAX_CAUSES:
                    mine.update(sorted(inherited - mine)[:MAX_CAUSES - len(mine)])
        frontier = grown
    return causes


def recompute(store: Store, policy: Policy, state: dict, affected: Roots, as_of: date,
              record: Callable[[list[Change]], None] = lambda changes: None, token: str | None = None) -> Update:
    """Recompute the region of one closure version in place (withdrawn from readers meanwhile)."""
    version = state["version"]
    result = Update(policy.name, "incremental", as_of, region=len(affected))
    if not affected:
        if state["as_of"] != as_of or not state["visible"]:
            show(store, policy, version, as_of, state["restricted"], state["indeterminate"], state["rounds"], token)
        result.restricted, result.indeterminate = state["restricted"], state["indeterminate"]
        return result
    keys = sorted(affected)
    old = standings(store, version, keys)
    # only the region's members carry marks and Verdict nodes; their standings are kept before they are
    # taken out, and every party that enters later is noted as clear before it is marked
    members_before = sorted(k for k in keys if old[k]["status"] != CLEAR)
    forget_before(store, version)
    noted: set[str] = set()

    def note(entrants: list[str], standing=None) -> None:
        rows = [standing(k) if standing else {"key": k, "status": CLEAR, "witness": []}
                for k in entrants if k not in noted]
        for page in pages(rows, PAGE):
            store.run("refresh/region_before_write", rows=page, version=version)
        noted.update(entrants)

    note(members_before, lambda k: {"key": k, "status": old[k]["status"], "witness": old[k]["witness"]})
    store.run("refresh/closure_hide", policy=policy.name, version=version)
    for page in pages(members_before, PAGE):
        store.run("refresh/region_unmark", keys=page, version=version)
    base = state["rounds"] or 0
    entered: dict[str, dict[str, list[str]]] = {}
    last_round = base
    inside = set(keys)
    outside: dict[str, set[str]] = {}  # parties that enter from outside the region (clear before), and causes
    for bound in BOUNDS:
        mark = f"{version}#{bound}"
        seeds = [r["key"] for page in pages(keys, PAGE)
                 for r in store.run("closure/seeds", keys=page, as_of=as_of, **seed_params(policy))]
        note(seeds)
        write_marks(store, version, mark, [{"key": k, "fields": {"seed": True, f"{bound}_round": 0,
                                                          f"{bound}_reason": "seed", f"{bound}_witness": []}}
                                     for k in seeds])
        members: dict[str, list[str]] = {k: [] for k in seeds}
        params = round_params(policy, as_of, bound)
        # round 1 judges every party of the region, and those its seeds hold, against the closure as it
        # stands; later rounds only the parties held by those that just entered (semi-naive)
        held: set[str] = set()
        for page in pages(seeds, PAGE):
            held.update(r["key"] for r in store.run("closure/children", frontier=page, mark=mark, as_of=as_of))
        candidates = sorted((inside - set(seeds)) | held)
        round_ = base
        while candidates:
            round_ += 1
            rows = []
            for page in pages(candidates, PAGE):
                rows.extend(store.run("closure/round", candidates=page, frontier=[], members=[], mark=mark, **params))
            arrivals = [r["key"] for r in rows if r["key"] not in inside and r["key"] not in outside]
            for k in arrivals:
                causes = set()
                for edge in next(r["witness"] for r in rows if r["key"] == k):
                    owner = edge.split("|", 1)[0]
                    causes |= affected.get(owner, set()) | outside.get(owner, set())
                outside[k] = set(sorted(causes)[:MAX_CAUSES])
            note([r["key"] for r in rows])
            write_marks(store, version, mark, [{"key": r["key"], "fields": {
                f"{bound}_round": round_, f"{bound}_reason": r["reason"], f"{bound}_witness": sorted(r["witness"])}}
                for r in rows])
            for r in rows:
                members[r["key"]] = sorted(r["witness"])
            frontier = sorted(r["key"] for r in rows)
            found: set[str] = set()
            for page in pages(frontier, PAGE):
                found.update(r["key"] for r in store.run("closure/children", frontier=page, mark=mark, as_of=as_of))
            candidates = sorted(found)
        last_round = max(last_round, round_)
        entered[bound] = members
    for k in outside:
        old[k] = {"status": CLEAR, "witness": []}
    touched = keys + sorted(outside)
    causes_of = {**outside, **affected}
    new = {k: status(0 if k in entered["sure"] else None, 0 if k in entered["possible"] else None)
           for k in touched}
    counts = {RESTRICTED: state["restricted"] or 0, INDETERMINATE: state["indeterminate"] or 0, CLEAR: 0}
    for k in touched:
        counts[old[k]["status"]] -= 1
        counts[new[k]] += 1
    result.restricted, result.indeterminate = counts[RESTRICTED], counts[INDETERMINATE]
    for k in touched:
        if old[k]["status"] != new[k]:
            restricted_now = new[k] != CLEAR
            witness = (entered["sure"].get(k) or entered["possible"].get(k) or []) if restricted_now \
                else old[k]["witness"]
            result.changes.append(Change(policy.name, policy.hash(), k, old[k]["status"], new[k], as_of,
                                         sorted(causes_of[k]), list(witness)))
    record(result.changes)
    show(store, policy, version, as_of, result.restricted, result.indeterminate, last_round, token)
    forget_before(store, version)
    return result


def rebuild(store: Store, policy: Policy, as_of: date, state: dict | None, roots: Roots,
            record: Callable[[list[Change]], None] = lambda changes: None, token: str | None = None) -> Update:
    """A full materialise; changes are logged against the previous version when there was one. The
    previous version is withdrawn from readers first and dropped only after the changes are recorded."""
    previous = (state["updating"] or state["version"]) if state else None
    old: dict[str, dict] | None = None
    if state and previous:
        old = all_standings(store, previous)
        # a recompute interrupted half-way: its region's standings as they were before it began
        for row in store.run("refresh/region_before_read", version=previous):
            if row["status"] == CLEAR:
                old.pop(row["key"], None)
            else:
                old[row["key"]] = {"status": row["status"], "witness": list(row["witness"])}
        if state["updating"] is None:
            store.run("refresh/closure_hide", policy=policy.name, version=previous)
    built = materialise(store, policy, as_of, token)
    result = Update(policy.name, "full" if previous else "baseline", as_of, restricted=built.restricted,
                    indeterminate=built.indeterminate)
    if old is not None:
        new = all_standings(store, built.version)
        for k in sorted(set(old) | set(new)):
            before = old.get(k, {"status": CLEAR, "witness": []})
            after = new.get(k, {"status": CLEAR, "witness": []})
            if before["status"] != after["status"]:
                causes = sorted(roots.get(k, ()))[:MAX_CAUSES]
                if state and state["policy_hash"] != policy.hash():
                    causes.append(f"policy:{policy.hash()}")
                witness = after["witness"] if after["status"] != CLEAR else before["witness"]
                result.changes.append(Change(policy.name, policy.hash(), k, before["status"], after["status"],
                                             as_of, causes, list(witness)))
        record(result.changes)
    show(store, policy, built.version, as_of, built.restricted, built.indeterminate, built.rounds, token)
    if previous and previous != built.version:
        drop(store, previous)
        forget_before(store, previous)
    return result


def standings(store: Store, version: str, keys: list[str]) -> dict[str, dict]:
    """Status and witness of some parties in a closure version (clear when absent)."""
    out = {k: {"status": CLEAR, "witness": []} for k in keys}
    for page in pages(keys, PAGE):
        for row in store.run("read/verdicts_by_party", keys=page, version=version):
            out[row["key"]] = _standing(row)
    return out


def all_standings(store: Store, version: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    after = ""
    while True:
        rows = store.run("refresh/verdicts_all", version=version, after=after, limit=PAGE)
        for row in rows:
            out[row["key"]] = _standing(row)
        if len(rows) < PAGE:
            return out
        after = rows[-1]["key"]


def _standing(row: dict) -> dict:
    state = status(row["sure_round"], row["possible_round"])
    witness = row["sure_witness"] if state == RESTRICTED else row["possible_witness"]
    return {"status": state, "witness": list(witness or [])}


def show(store: Store, policy: Policy, version: str, as_of: date, restricted, indeterminate, rounds,
         token: str | None = None) -> bool:
    """Give the closure back to readers (False: kept withdrawn, another write to the graph is under way)."""
    return store.run("refresh/closure_show", policy=policy.name, version=version, policy_hash=policy.hash(),
                     as_of=as_of, restricted=restricted, indeterminate=indeterminate, rounds=rounds, token=token,
                     dead=writers.dead(store))[0]["shown"]


def forget_before(store: Store, version: str) -> None:
    while store.run("refresh/region_before_drop", version=version, limit=PAGE)[0]["done"]:
        pass

