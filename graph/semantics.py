"""The rule for "restricted", in one place (SPEC.md §3). Both engines follow it; tests hold them to it.

Seeds are the parties that match the policy's restricted predicate (`seed_rule`). Under the
**aggregate** method the restricted set R is the least fixpoint of:

  * every seed is in R;
  * a party y is in R when the shares in y held by members of R, summed, meet the threshold
    (`meets`), or when a member of R holds in y a control interest the policy counts.

A member's counted share in y is the largest of the measured interest types it holds in y
(`counted_share`); distinct owners add up; shares are never multiplied along a path; a party's
holding in itself is ignored. Under the **integrated** method E(y) = sum over owners o of
share(o, y) * (1 if o is a seed else E(o)), solved as a linear system.

Ranges: the lower ends of every share give the parties restricted for sure (R_sure), the upper ends
the parties that may be restricted (R_possible). restricted = in R_sure; indeterminate = in
R_possible only; clear = not in R_possible. Exclusive ends are exact through the integer encoding of
graph/share.py. Only interests in force on the as-of date count: start <= as_of < end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

from ownergraph.graph.policy import Policy
from ownergraph.graph.share import encode_threshold, meets

Status = Literal["restricted", "clear", "indeterminate"]
Reason = Literal["seed", "ownership", "control"]
RESTRICTED: Final = "restricted"
CLEAR: Final = "clear"
INDETERMINATE: Final = "indeterminate"


@dataclass(frozen=True)
class Edge:
    """One stake as the semantics sees it (values of its most recent statement)."""

    key: str
    owner: str
    owned: str
    type: str
    lo: int  # encoded lower end (graph/share.py)
    hi: int  # encoded upper end
    start: date | None = None
    end: date | None = None
    counted: bool = True
    sources: tuple[tuple[str, str], ...] = ()
    share_min: float = 0.0
    share_max: float = 100.0
    min_open: bool = False
    max_open: bool = False

    @property
    def ranged(self) -> bool:
        return self.share_min != self.share_max or self.min_open or self.max_open


@dataclass(frozen=True)
class PartyFacts:
    """What the seed predicate looks at."""

    key: str
    name: str | None = None
    kind: str = "company"
    country: str | None = None
    nationalities: tuple[str, ...] = ()
    listings: tuple[tuple[str, date | None, date | None], ...] = ()  # (list, start, end)
    reporting_exceptions: tuple[str, ...] = ()


@dataclass
class Standing:
    """A party's place in the closure of one policy."""

    key: str
    seed: str | None = None  # the rule that makes it a seed
    sure_round: int | None = None  # round it entered R_sure (0 = seed)
    possible_round: int | None = None
    sure_reason: Reason | None = None
    possible_reason: Reason | None = None
    sure_witness: tuple[str, ...] = ()  # edge keys that made it restricted
    possible_witness: tuple[str, ...] = ()
    # integrated method: effective share held by seeds, in percent
    effective_lo: float | None = None
    effective_hi: float | None = None
    effective_lo_open: bool = False  # the effective share is strictly above effective_lo
    effective_hi_open: bool = False  # ... strictly below effective_hi

    def enter(self, bound: str, round_: int, reason: Reason, witness: tuple[str, ...] = ()) -> None:
        """Record that the party entered R_sure (bound "sure") or R_possible ("possible") in a round."""
        if bound == "sure":
            self.sure_round, self.sure_reason, self.sure_witness = round_, reason, witness
        else:
            self.possible_round, self.possible_reason, self.possible_witness = round_, reason, witness

    @property
    def status(self) -> Status:
        if self.sure_round is not None:
            return RESTRICTED
        if self.possible_round is not None:
            return INDETERMINATE
        return CLEAR


@dataclass
class Closure:
    policy: Policy
    as_of: date
    standings: dict[str, Standing] = field(default_factory=dict)

    def status(self, key: str) -> Status:
        standing = self.standings.get(key)
        return standing.status if standing else CLEAR


def in_force(start: date | None, end: date | None, as_of: date) -> bool:
    return (start is None or start <= as_of) and (end is None or as_of < end)


def seed_rule(party: PartyFacts, policy: Policy, as_of: date) -> str | None:
    """Why the party is a seed of the policy on that date, in words; None when it is not one."""
    rules = policy.restricted
    if party.kind == "person":
        hits = sorted(set(party.nationalities) & set(rules.nationalities))
        if hits:
            return f"a national of {', '.join(hits)}"
    elif party.country and party.country in rules.headquarters:
        return f"headquartered in {party.country}"
    lists = sorted({name for name, start, end in party.listings
                    if name in rules.lists and in_force(start, end, as_of)})
    if lists:
        return f"on the {', '.join(lists)} list{'s' if len(lists) > 1 else ''}"
    return None


def counts(edge: Edge, as_of: date) -> bool:
    """Whether an edge takes part in the computation at all on that date."""
    return edge.counted and edge.owner != edge.owned and in_force(edge.start, edge.end, as_of)


def counted_share(edges: Iterable[Edge], policy: Policy) -> tuple[int, int] | None:
    """One owner's counted share in one party: the largest measured interest, per bound (encoded)."""
    measured = [e for e in edges if e.type in policy.measured]
    if not measured:
        return None
    return max(e.lo for e in measured), max(e.hi for e in measured)


def controls(edges: Iterable[Edge], policy: Policy) -> Edge | None:
    """The control interest (if any) by which an owner restricts the party outright."""
    for edge in edges:
        if edge.type in policy.control:
            return edge
    return None


def threshold(policy: Policy) -> int:
    return encode_threshold(policy.threshold)


def qualifies(total: int, policy: Policy) -> bool:
    """Whether an encoded sum meets (lower bound) or can meet (upper bound) the policy's threshold."""
    return meets(total, threshold(policy), policy.inclusive)


# Integrated ownership is decided exactly, exclusive ends included, in graph/effective.py.
