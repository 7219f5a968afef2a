"""The materialised closure of a policy over the whole graph, and verdict reads from it.

`materialise` runs the aggregate closure in Neo4j by semi-naive iteration: round k examines only the
parties directly held by those that entered in round k-1, and closure/round, the same statement the
on-demand engine uses, finds them from that frontier and decides which of them enter. Each entrant gets a mark on its
Party node (read by the next rounds) and a Verdict node with its round, reason and witness edges.

A new closure is built as a new version beside the current one; only when it is complete does the
policy's Meta node switch to it (one write), and the old version is removed. Readers never see a half
built closure. Integrated policies are not materialised: they are evaluated on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ownergraph.graph import explain, writers
from ownergraph.graph.cone import edge_from_row, facts
from ownergraph.graph.cypher_engine import BOUNDS, round_params, seed_params
from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import Closure, Standing, seed_rule
from ownergraph.graph.store import Store, native, pages
from ownergraph.graph.verdict import Verdict

PAGE = 10_000


@dataclass
class MaterialisedClosure:
    policy: str
    version: str
    as_of: date
    restricted: int
    indeterminate: int
    rounds: int
    shown: bool = True  # False: kept withdrawn, a write to the graph is under way (its writer rebuilds it)


def current(store: Store, policy: Policy) -> dict | None:
    rows = store.run("closure/version_get", policy=policy.name)
    if not rows or rows[0]["version"] is None or rows[0]["policy_hash"] != policy.hash():
        return None
    return rows[0]


def write_marks(store: Store, version: str, mark: str, rows: list[dict]) -> None:
    """Mark the parties of `rows` ({key, fields}) as members under `mark` and write their Verdict nodes."""
    for page in pages(rows, PAGE):
        store.run("closure/mark", rows=page, version=version, mark=mark)


def materialise(store: Store, policy: Policy, as_of: date | None = None,
                token: str | None = None) -> MaterialisedClosure:
    """Build the policy's closure as of `as_of` and switch readers to it, unless a write to the graph
    other than `token` (graph/writes.py) is under way."""
    if policy.method != "aggregate":
        raise ValueError(f"policy {policy.name} uses the {policy.method} method; it is evaluated on demand")
    as_of = as_of or date.today()
    state = store.run("closure/version_get", policy=policy.name)[0]
    # the version readers see, or the one withdrawn during a write (not one a recompute is working on)
    previous = state["version"] or (state["withdrawn"] if state["updating"] is None else None)
    latest = state["version"] or state["withdrawn"] or state["updating"]
    version = f"{policy.name}@{policy.hash()}@{as_of.isoformat()}@{_counter(latest)}"
    drop(store, version)  # leftovers of an interrupted build of the same version
    seeds = [r["key"] for r in store.run("closure/seeds_all", as_of=as_of, **seed_params(policy))]
    status: dict[str, set[str]] = {}
    rounds = 0
    for bound in BOUNDS:
        mark = f"{version}#{bound}"
        write_marks(store, version, mark, [{"key": k, "fields": {"seed": True, f"{bound}_round": 0,
                                                           f"{bound}_reason": "seed", f"{bound}_witness": []}}
                                      for k in seeds])
        members = set(seeds)
        frontier = list(seeds)
        params = round_params(policy, as_of, bound)
        round_ = 0
        while frontier:
            round_ += 1
            entered: dict[str, dict] = {}  # a party held from two pages of the frontier is judged twice, alike
            for page in pages(frontier, PAGE):
                for r in store.run("closure/round", candidates=[], frontier=page, members=[], mark=mark, **params):
                    entered[r["key"]] = r
            write_marks(store, version, mark, [{"key": r["key"], "fields": {
                f"{bound}_round": round_, f"{bound}_reason": r["reason"], f"{bound}_witness": sorted(r["witness"])}}
                for r in entered.values()])
            frontier = sorted(entered)
            members.update(frontier)
        status[bound] = members
        rounds = max(rounds, round_)
    restricted = len(status["sure"])
    indeterminate = len(status["possible"] - status["sure"])
    shown = store.run("closure/version_set", policy=policy.name, version=version, policy_hash=policy.hash(),
                      definition=policy.definition_json(),
                      as_of=as_of, restricted=restricted, indeterminate=indeterminate, rounds=rounds, token=token,
                      dead=writers.dead(store))[0]["shown"]
    if previous and previous != version:
        drop(store, previous)
    return MaterialisedClosure(policy.name, version, as_of, restricted, indeterminate, rounds, shown)


def _counter(previous: str | None) -> int:
    try:
        return int(previous.rsplit("@", 1)[1]) + 1 if previous else 1
    except (IndexError, ValueError):
        return 1


def drop(store: Store, version: str) -> None:
    """Remove a closure version: its Verdict nodes and its marks."""
    while store.run("closure/drop_verdicts", version=version, limit=PAGE)[0]["done"]:
        pass


def read_verdict(store: Store, key: str, policy: Policy, closure_info: dict) -> Verdict:
    """A verdict from the materialised closure: the party's Verdict node, then its proof tree."""
    version = closure_info["version"]
    as_of = native(closure_info["as_of"])
    closure = Closure(policy, as_of)
    network = Network()
    # the party's direct holders give the restricted share and the largest holders
    for row in store.run("closure/cone_step", frontier=[key], as_of=as_of):
        edge = edge_from_row(row)
        network.edges[edge.key] = edge
    wanted = {key} | {e.owner for e in network.edges.values()}
    fetched: set[str] = set()
    while wanted - fetched:
        batch = sorted(wanted - fetched)
        fetched.update(batch)
        witness_keys: set[str] = set()
        for row in store.run("read/verdicts_by_party", keys=batch, version=version):
            standing = Standing(row["key"], seed="seed" if row["seed"] else None,
                                sure_round=row["sure_round"], possible_round=row["possible_round"],
                                sure_reason=row["sure_reason"], possible_reason=row["possible_reason"],
                                sure_witness=tuple(row["sure_witness"]), possible_witness=tuple(row["possible_witness"]))
            closure.standings[row["key"]] = standing
            if row["key"] == key or standing.status != "clear":
                witness_keys.update(standing.sure_witness if standing.sure_round is not None else standing.possible_witness)
        missing = sorted(w for w in witness_keys if w not in network.edges)
        for row in store.run("read/edges_by_key", keys=missing) if missing else []:
            edge = edge_from_row(row)
            network.edges[edge.key] = edge
            wanted.add(edge.owner)
    keys = sorted({key} | {e.owner for e in network.edges.values()} | {e.owned for e in network.edges.values()})
    network.parties = facts(store, keys)
    for k in keys:
        standing = closure.standings.setdefault(k, Standing(k))
        if standing.seed:
            standing.seed = seed_rule(network.parties[k], policy, as_of) or "a seed"
    return explain.build(network, closure, key, engine="cypher-materialised")
