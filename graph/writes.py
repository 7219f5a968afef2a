"""Writes to the graph and the materialised closures: a reader never sees a closure that does not reflect
the committed writes.

A write (`ownergraph load`, a future API write) calls `begin` before its first write: one transaction
registers it (graph/writers.py) and withdraws every materialised closure from readers, who then evaluate
on demand (always right). At the end, `finish` recomputes each closure incrementally from the parties
the write touched (graph/incremental.py: the owned parties of written stakes and the written parties,
and what lies downstream of them), on the closure's own date, and gives it back with one write.

What cannot be recomputed stays withdrawn, marked dirty, and the next write (or `ownergraph closure`)
rebuilds it in full: a write that failed or died (its roots are lost), a write that overlapped another
one (each knows only its own roots), a closure of a policy file that cannot be loaded by its name.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from ownergraph.graph import incremental, writers
from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.policy import Policy, from_definition, load_policy
from ownergraph.graph.store import Store, native

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Write:
    """One write under way; its token lives as long as this object (or until `finish`/`abandon`)."""

    token: str = ""
    withdrawn: int = 0  # closures withdrawn by `begin`
    updates: list[incremental.Update] = field(default_factory=list)


def begin(store: Store) -> Write:
    """Withdraw every materialised closure from readers before the first write (one transaction)."""
    write = Write()
    write.token = writers.token(write)
    write.withdrawn = store.run("writes/withdraw", token=write.token, dead=writers.dead(store))[0]["withdrawn"]
    return write


def finish(store: Store, write: Write, touched: Iterable[str], done: Iterable[str] = ()) -> list[incremental.Update]:
    """Recompute every withdrawn closure from the parties the write touched, and give it back. On an
    error the closures stay withdrawn (dirty) and the error is raised. `done` names the policies whose
    closures the writer has already recomputed and given back itself (the refresh does, on its own date)."""
    roots: incremental.Roots = {key: {f"party:{key}"} for key in touched}
    skip = set(done)
    try:
        for row in store.run("writes/closures"):
            if row["policy"] in skip:
                continue
            policy = _policy_of(row)
            if policy is None or row["as_of"] is None:
                log.warning("closure %s stays withdrawn: its policy definition is not known", row["policy"])
                continue
            write.updates += incremental.update(store, [policy], roots, native(row["as_of"]), token=write.token)
    except BaseException:
        abandon(store, write)
        raise
    release(store, write)
    return write.updates


def _policy_of(row: dict) -> Policy | None:
    """The policy a closure was built from: the definition stored beside it, else the built-in of its name
    (closures built before definitions were stored), provided the hash matches."""
    candidates = []
    if row.get("definition"):
        candidates.append(lambda: from_definition(row["definition"]))
    candidates.append(lambda: load_policy(row["policy"]))
    for candidate in candidates:
        try:
            policy = candidate()
        except (OwnergraphError, OSError, ValueError):
            continue
        if policy.hash() == row["policy_hash"]:
            return policy
    return None


def abandon(store: Store, write: Write) -> None:
    """A write that failed: its closures stay withdrawn and are rebuilt in full by the next write."""
    try:
        store.run("writes/dirty")
        release(store, write)
    except Exception:  # the database gone: the token is found dead later
        log.exception("could not release the write %s", write.token)


def release(store: Store, write: Write) -> None:
    store.run("writes/release", token=write.token, dead=writers.dead(store))
    writers.forget(write.token)
