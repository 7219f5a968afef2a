"""Verdicts read from a materialised closure in one statement: ids resolved, closure version checked,
Verdict nodes and proof trees read, the version checked again (cypher/read/verdicts_materialised).

Why one statement is as safe as the three reads it replaces (version, verdict, version again): the closure's
Meta node is read at the start of the statement and again at its end, after a `collect` that finishes every
Verdict and interest read of the request first. Neo4j reads committed data as it goes (read committed, no
snapshot), so a read that missed Verdict nodes because a rebuild deleted them (after its switch of the Meta
node, graph/materialise.py) or a recompute withdrew them (the Meta shows another version, or the same one
with a later `computed_at`) sees the changed Meta at the end; such a read is done again, and after
`attempts` the caller evaluates on demand. A clear party (no Verdict node) costs its direct holders, their
Verdict lookups and the facts the explanation names: no proof tree is walked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ownergraph.graph import explain, identifiers
from ownergraph.graph.cone import edge_from_row
from ownergraph.graph.errors import AmbiguousParty, UnknownParty
from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import Closure, PartyFacts, Standing, seed_rule
from ownergraph.graph.store import Store, native, pages
from ownergraph.graph.verdict import Verdict

STATEMENT = "read/verdicts_materialised"
BATCH = 200  # ids per statement


@dataclass
class Read:
    id: str
    candidates: list[dict]  # the parties the id names ({key, name, kind, country})
    verdict: Verdict | None = None  # None: no current closure for the day, evaluate on demand
    deep: bool = False  # the proof tree is deeper than the statement walks: read it with materialise.read_verdict

    def party(self) -> dict:
        """The one party the id names; UnknownParty or AmbiguousParty otherwise."""
        if not self.candidates:
            raise UnknownParty(self.id)
        if len(self.candidates) > 1:
            raise AmbiguousParty(self.id, self.candidates)
        return self.candidates[0]


def read(store: Store, ids: list[str], policy: Policy, day: date, attempts: int = 3) -> dict[str, Read]:
    """Each distinct id's read (by id) from the policy's materialised closure as of `day`."""
    out: dict[str, Read] = {}
    pending = list(dict.fromkeys(ids))
    for page in pages(pending, BATCH):
        out.update(_read_batch(store, page, policy, day, attempts))
    return out


def _read_batch(store: Store, ids: Sequence[str], policy: Policy, day: date, attempts: int) -> dict[str, Read]:
    out: dict[str, Read] = {}
    pending = ids
    for _ in range(attempts):
        rows = store.run(STATEMENT, parties=[{"id": i, "forms": identifiers.lookup_forms(i)} for i in pending],
                         policy=policy.name, policy_hash=policy.hash(), as_of=day)
        retry = []
        for row in rows:
            found = [{k: p.get(k) for k in ("key", "name", "kind", "country")} for p in row["found"]]
            stable = (row["version"], row["computed_at"]) == (row["version_after"], row["computed_at_after"])
            if len(found) != 1 or not row["current"]:
                out[row["id"]] = Read(row["id"], found)
            elif not stable:
                retry.append(row["id"])
                out[row["id"]] = Read(row["id"], found)  # on demand, unless a later attempt reads it whole
            elif not row["complete"]:
                out[row["id"]] = Read(row["id"], found, deep=True)
            else:
                out[row["id"]] = Read(row["id"], found, _verdict(row, policy))
        pending = retry
        if not pending:
            break
    return out


def _verdict(row: dict, policy: Policy) -> Verdict:
    key = row["key"]
    as_of = native(row["as_of"])
    closure = Closure(policy, as_of)
    network = Network()
    for e in row["edges"]:
        edge = edge_from_row(e)
        network.edges[edge.key] = edge
    for v in row["verdicts"]:
        closure.standings[v["key"]] = Standing(
            v["key"], seed="seed" if v["seed"] else None, sure_round=v["sure_round"],
            possible_round=v["possible_round"], sure_reason=v["sure_reason"], possible_reason=v["possible_reason"],
            sure_witness=tuple(v["sure_witness"]), possible_witness=tuple(v["possible_witness"]))
    network.parties = {f["key"]: PartyFacts(
        key=f["key"], name=f["name"], kind=f["kind"] or "company", country=f["country"],
        nationalities=tuple(f["nationalities"]),
        listings=tuple((n, native(s), native(e)) for n, s, e in f["listings"]),
        reporting_exceptions=tuple(f["reporting_exceptions"])) for f in row["facts"]}
    keys = sorted({key} | {e.owner for e in network.edges.values()} | {e.owned for e in network.edges.values()})
    for k in keys:
        standing = closure.standings.setdefault(k, Standing(k))
        if standing.seed:
            standing.seed = seed_rule(network.parties[k], policy, as_of) or "a seed"
    return explain.build(network, closure, key, engine="cypher-materialised")
