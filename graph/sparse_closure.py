"""The aggregate closure of SPEC.md §3 over the whole graph, vectorised with numpy and scipy.sparse.

The same semantics as graph/reference.py (the oracle; tests hold the two to the same answers), for whole
graphs held in memory: it is the practical speed limit of the closure on one machine, the yardstick the
materialised Cypher closure is measured against in benchmarks/.

- The edges in force on the as-of date (counted, not a holding in itself, start <= as_of < end) are
  grouped per (owner, owned) pair: the pair's counted share is the largest measured interest, per bound;
  the pair restricts outright when one of its interests is a control type the policy counts.
- Encoded shares (graph/share.py) are split into whole units and the exclusive-end remainder,
  `value = units * SCALE + rest` with 0 <= rest < SCALE, and both parts are summed separately: sums stay
  exact in float64 (below 2**53) and cannot overflow however many owners a party has.
- The least fixpoint is reached by semi-naive rounds: each party keeps the running sum of the shares held
  in it by members of R; in round k only the out-pairs of the parties that entered in round k-1 are
  added, and only their targets are tested. Round numbers equal the reference's.

Company control for every party (`company_control_all`) runs the same closure seeded with each party
alone (threshold > 50, shareholding and voting rights), over the same pair arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy
from ownergraph.graph.semantics import INDETERMINATE, RESTRICTED, Closure, Reason, Standing, counts, seed_rule
from ownergraph.graph.share import SCALE, encode_threshold

REASONS: tuple[Reason, ...] = ("seed", "ownership", "control")  # codes 0, 1, 2 of `reason`


@dataclass
class Pairs:
    """The graph of one policy and date as arrays, one row per (owner, owned) pair, sorted by owner."""

    keys: list[str]  # node index -> party key
    owner: np.ndarray  # int64 node indexes
    owned: np.ndarray
    lo: np.ndarray  # int64: the pair's counted share per bound, encoded (0 when none)
    hi: np.ndarray
    measured: np.ndarray  # bool: the pair holds a measured interest
    control: np.ndarray  # bool: the pair holds a control interest the policy counts
    indptr: np.ndarray  # CSR row pointers by owner

    @property
    def size(self) -> int:
        return len(self.keys)


def pairs_from_edges(keys: Iterable[str], edges: Iterable, policy: Policy, as_of: date) -> Pairs:
    """Pairs from parties and Edge objects (graph/semantics.py): the in-force filter and per-pair grouping."""
    keys = list(keys)
    index = {k: i for i, k in enumerate(keys)}
    measured_types, control_types = set(policy.measured), set(policy.control)
    owner, owned, lo, hi, measured, control = [], [], [], [], [], []
    for edge in edges:
        if not counts(edge, as_of):
            continue
        is_measured, is_control = edge.type in measured_types, edge.type in control_types
        if not (is_measured or is_control):
            continue
        owner.append(index[edge.owner])
        owned.append(index[edge.owned])
        lo.append(edge.lo if is_measured else -1)
        hi.append(edge.hi if is_measured else -1)
        measured.append(is_measured)
        control.append(is_control)
    return group_pairs(keys, np.array(owner, dtype=np.int64), np.array(owned, dtype=np.int64), lo, hi,
                       np.array(measured, dtype=bool), np.array(control, dtype=bool))


def group_pairs(keys: list[str], owner: np.ndarray, owned: np.ndarray, lo, hi,
                measured: np.ndarray, control: np.ndarray) -> Pairs:
    """One row per (owner, owned): the largest measured lo and hi, and whether any interest is control.

    `lo`/`hi` are encoded ends of the measured interests (-1 on the rows of control-only interests)."""
    n = len(keys)
    lo_a, hi_a = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)  # one end fits: < 2**57
    order = np.lexsort((owned, owner))
    owner, owned, lo_a, hi_a = owner[order], owned[order], lo_a[order], hi_a[order]
    measured, control = measured[order], control[order]
    if len(owner):
        first = np.ones(len(owner), dtype=bool)
        first[1:] = (owner[1:] != owner[:-1]) | (owned[1:] != owned[:-1])
        starts = np.flatnonzero(first)
        lo_g = np.maximum.reduceat(lo_a, starts) if len(starts) else lo_a
        hi_g = np.maximum.reduceat(hi_a, starts) if len(starts) else hi_a
        measured_g = np.logical_or.reduceat(measured, starts)
        control_g = np.logical_or.reduceat(control, starts)
        owner, owned = owner[starts], owned[starts]
    else:
        lo_g = hi_g = np.zeros(0, dtype=np.int64)
        measured_g = control_g = np.zeros(0, dtype=bool)
    lo_g = np.where(measured_g, lo_g, 0)
    hi_g = np.where(measured_g, hi_g, 0)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
    return Pairs(keys, owner, owned, lo_g, hi_g, measured_g, control_g, indptr)


def pairs_from_network(network: Network, policy: Policy, as_of: date) -> Pairs:
    return pairs_from_edges(network.parties, network.edges.values(), policy, as_of)


def split(encoded: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whole units, remainder in [0, SCALE)) of encoded values, as float64 (exact: below 2**53)."""
    units, rest = np.divmod(encoded, SCALE)  # floor division: an exclusive upper end is (units - 1, SCALE - 1)
    return units.astype(np.float64), rest.astype(np.float64)


@dataclass
class Bound:
    """One bound's closure: per node, the round it entered (-1 = never) and why (REASONS code)."""

    round: np.ndarray
    reason: np.ndarray
    rounds: int


@dataclass
class SparseClosure:
    keys: list[str]
    sure: Bound
    possible: Bound

    def status(self) -> np.ndarray:
        """Per node: 2 restricted, 1 indeterminate, 0 clear."""
        return np.where(self.sure.round >= 0, 2, np.where(self.possible.round >= 0, 1, 0))

    def statuses(self) -> dict[str, str]:
        """Party key -> restricted | indeterminate, for the parties that are not clear."""
        names = {2: RESTRICTED, 1: INDETERMINATE}
        codes = self.status()
        return {self.keys[i]: names[int(codes[i])] for i in np.flatnonzero(codes)}

    def counts(self) -> dict[str, int]:
        codes = self.status()
        return {RESTRICTED: int((codes == 2).sum()), INDETERMINATE: int((codes == 1).sum())}

    @property
    def rounds(self) -> int:
        return max(self.sure.rounds, self.possible.rounds)

    def to_closure(self, policy: Policy, as_of: date, seeds: dict[str, str]) -> Closure:
        """A graph.semantics Closure (rounds and reasons; witnesses are not kept)."""
        closure = Closure(policy, as_of)
        for i, key in enumerate(self.keys):
            standing = Standing(key, seed=seeds.get(key))
            for name, bound in (("sure", self.sure), ("possible", self.possible)):
                if bound.round[i] >= 0:
                    standing.enter(name, int(bound.round[i]), REASONS[bound.reason[i]])
            closure.standings[key] = standing
        return closure


def _out_pairs(indptr: np.ndarray, frontier: np.ndarray) -> np.ndarray:
    """Indexes of the pairs owned by the frontier nodes (CSR row ranges, concatenated)."""
    starts, ends = indptr[frontier], indptr[frontier + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(total, dtype=np.int64)


def _rounds(pairs: Pairs, seeds: np.ndarray, units: np.ndarray, rest: np.ndarray, policy_threshold: int,
            inclusive: bool) -> Bound:
    n = pairs.size
    t_units = encode_threshold_units(policy_threshold)
    round_ = np.full(n, -1, dtype=np.int32)
    reason = np.zeros(n, dtype=np.int8)
    member = np.zeros(n, dtype=bool)
    acc_units, acc_rest = np.zeros(n), np.zeros(n)
    acc_measured = np.zeros(n, dtype=np.int64)
    acc_control = np.zeros(n, dtype=bool)
    frontier = np.flatnonzero(seeds)
    member[frontier] = True
    round_[frontier] = 0
    measured = pairs.measured
    k = 0
    while frontier.size:
        idx = _out_pairs(pairs.indptr, frontier)
        if idx.size == 0:
            break
        k += 1
        targets = pairs.owned[idx]
        m = measured[idx]
        acc_units += np.bincount(targets, weights=units[idx], minlength=n)
        acc_rest += np.bincount(targets, weights=rest[idx], minlength=n)
        acc_measured += np.bincount(targets, weights=m, minlength=n).astype(np.int64)
        acc_control[targets[pairs.control[idx]]] = True
        candidates = np.unique(targets)
        candidates = candidates[~member[candidates]]
        whole = acc_units[candidates] + np.floor(acc_rest[candidates] / SCALE)
        extra = np.mod(acc_rest[candidates], SCALE)
        meets = (whole >= t_units) if inclusive else ((whole > t_units) | ((whole == t_units) & (extra > 0)))
        meets &= acc_measured[candidates] > 0
        ctl = acc_control[candidates]
        entered = candidates[ctl | meets]
        reason[entered] = np.where(ctl[ctl | meets], 2, 1)
        round_[entered] = k
        member[entered] = True
        frontier = entered
        if not entered.size:
            k -= 1  # a round that admits nobody is not counted (as in the reference)
            break
    return Bound(round_, reason, k)


def encode_threshold_units(encoded: int) -> int:
    return encoded // SCALE


def seed_mask(network: Network, keys: list[str], policy: Policy, as_of: date,
              seeds: dict[str, str] | None = None) -> tuple[np.ndarray, dict[str, str]]:
    rules = seeds if seeds is not None else {
        k: r for k in keys if (r := seed_rule(network.parties[k], policy, as_of)) is not None}
    mask = np.zeros(len(keys), dtype=bool)
    index = {k: i for i, k in enumerate(keys)}
    for k in rules:
        mask[index[k]] = True
    return mask, rules


def closure_of(pairs: Pairs, seeds: np.ndarray, policy: Policy) -> SparseClosure:
    """Both bounds of the aggregate closure from a seed mask (bool per node)."""
    if policy.method != "aggregate":
        raise ValueError(f"policy {policy.name} uses the {policy.method} method, not aggregate")
    t = encode_threshold(policy.threshold)
    lo_units, lo_rest = split(pairs.lo)
    hi_units, hi_rest = split(pairs.hi)
    sure = _rounds(pairs, seeds, lo_units, lo_rest, t, policy.inclusive)
    possible = _rounds(pairs, seeds, hi_units, hi_rest, t, policy.inclusive)
    return SparseClosure(pairs.keys, sure, possible)


def evaluate(network: Network, policy: Policy, as_of: date, seeds: dict[str, str] | None = None) -> SparseClosure:
    """The closure of an aggregate policy over a whole in-memory network (as reference.evaluate)."""
    pairs = pairs_from_network(network, policy, as_of)
    mask, _ = seed_mask(network, pairs.keys, policy, as_of, seeds)
    return closure_of(pairs, mask, policy)


def company_control_all(pairs: Pairs, policy: Policy) -> dict[int, tuple[list[int], list[int]]]:
    """For every node x that controls someone: (nodes x controls for sure, nodes x may control).

    The closure seeded with x alone, per x (Bank of Italy company control when `policy` is
    graph.control.COMPANY_CONTROL). Each closure only touches what x reaches, so it runs on Python
    lists: per-seed numpy calls would cost more than the work.
    """
    t = encode_threshold(policy.threshold)
    indptr = pairs.indptr.tolist()
    owned = pairs.owned.tolist()
    control = pairs.control.tolist()
    measured = pairs.measured.tolist()
    out: dict[int, tuple[list[int], list[int]]] = {}
    bounds = (pairs.lo.tolist(), pairs.hi.tolist())
    for x in range(pairs.size):
        if indptr[x] == indptr[x + 1]:
            continue
        found = []
        for values in bounds:
            members = {x}
            frontier = [x]
            total: dict[int, int] = {}
            holders: dict[int, int] = {}
            controlled: set[int] = set()
            while frontier:
                touched = set()
                for o in frontier:
                    for p in range(indptr[o], indptr[o + 1]):
                        y = owned[p]
                        if control[p]:
                            controlled.add(y)
                        if measured[p]:
                            total[y] = total.get(y, 0) + values[p]
                            holders[y] = holders.get(y, 0) + 1
                        touched.add(y)
                frontier = [y for y in touched - members
                            if y in controlled or (holders.get(y) and
                                                   (total[y] >= t if policy.inclusive else total[y] > t))]
                members.update(frontier)
            members.discard(x)
            found.append(sorted(members))
        if found[1]:
            out[x] = (found[0], found[1])
    return out
