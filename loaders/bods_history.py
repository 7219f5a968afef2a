"""The history of BODS records within one file: later statements about a record apply after earlier ones.

BODS 0.4: statements with the same recordId are successive states of one record. A relationship
statement's interests replace the ones before it; an earlier interest it no longer states ends where a
new interest of the same owner, party and type starts, else at the statement date. A closed
relationship ends its interests at the statement date, unless they state their own end date.

BODS 0.2/0.3: `replacesStatements` names the statements a new one replaces. A replaced ownership
statement's interests that none of its replacements restates end when they are replaced; as several
statements may replace one, that is settled once the whole file is read (`History.replaced_ends`).
A party statement's line of replacements has one root, so stakes are compared across replaced ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

from ownergraph.graph.model import StakeRecord

StakeKey = tuple  # owner, owned, interest type, start, declares


def stake_key(stake: StakeRecord) -> StakeKey:
    return stake.owner, stake.owned, stake.interest, stake.start, stake.declares


@dataclass
class Record:
    kind: str  # entity, person or relationship
    date: date | None
    stakes: dict[StakeKey, StakeRecord] = field(default_factory=dict)  # a relationship's current stakes


@dataclass
class History:
    """What a file has said so far about each record."""

    records: dict[str, Record] = field(default_factory=dict)  # 0.4, by recordId
    statements: dict[str, Record] = field(default_factory=dict)  # 0.2/0.3, by statementID
    digests: dict[str, int] = field(default_factory=dict)  # 0.2/0.3 party statements, to tell duplicates
    roots: dict[str, str] = field(default_factory=dict)  # 0.2/0.3 statementID -> first of its line
    replaced: dict[str, tuple[date | None, list[str]]] = field(default_factory=dict)  # id -> (when, by whom)
    today: date = field(default_factory=date.today)

    def root(self, statement_id: str) -> str:
        seen = set()
        while self.roots.get(statement_id, statement_id) != statement_id and statement_id not in seen:
            seen.add(statement_id)
            statement_id = self.roots[statement_id]
        return statement_id

    def legacy_key(self, stake: StakeRecord) -> StakeKey:
        """A 0.2/0.3 stake's key with its parties named by the roots of their statements."""
        def party(identifier: str) -> str:
            return f"bods:{self.root(identifier[5:])}" if identifier.startswith("bods:") else identifier
        return party(stake.owner), party(stake.owned), stake.interest, stake.start, stake.declares

    def replace_statements(self, replaced: tuple[str, ...], by: str, when: date | None) -> None:
        for old_id in replaced:
            earlier, successors = self.replaced.get(old_id, (None, []))
            latest = max((d for d in (earlier, when) if d), default=None)
            self.replaced[old_id] = (latest, successors + [by])

    def replaced_ends(self) -> Iterator[StakeRecord]:
        """The stakes of replaced 0.2/0.3 statements that none of their replacements restates, ended."""
        for old_id, (when, successors) in self.replaced.items():
            old = self.statements.get(old_id)
            if old is None or when is None:
                continue
            after = [s for sid in successors if sid in self.statements for s in self.statements[sid].stakes.values()]
            restated = {self.legacy_key(s) for s in after}
            for stake in old.stakes.values():
                if self.legacy_key(stake) in restated or stake.end is not None:
                    continue
                end = next_start(stake, after, self.legacy_key) or when
                if stake.start is None or end > stake.start:
                    yield replace(stake, end=end, provenance=replace(stake.provenance, statement_date=when))


def succession(previous: dict[StakeKey, StakeRecord], stated: list[StakeRecord], when: date,
               closed: bool) -> tuple[list[StakeRecord], dict[StakeKey, StakeRecord]]:
    """The stakes a 0.4 relationship statement writes, given the record's stakes before it; and its stakes after.

    The earlier stakes it ends are written again with their end (same source record, so the stored
    provenance is updated rather than added to).
    """
    if closed:
        stated = [s if s.end else replace(s, end=when) for s in stated]
    current = {stake_key(s): s for s in stated}
    out = []
    for key, old in previous.items():
        if key in current or old.end is not None:
            continue
        end = when if closed else (next_start(old, stated) or when)
        if old.start is None or end > old.start:
            out.append(replace(old, end=end, provenance=replace(old.provenance, statement_date=when)))
    out.extend(stated)
    return out, ({} if closed else current)


def next_start(old: StakeRecord, stated: list[StakeRecord],
               key: Callable[[StakeRecord], StakeKey] = stake_key) -> date | None:
    """The start of the interest that follows an earlier one of the same owner, party and type."""
    owner, owned, interest, _, declares = key(old)
    starts = [s.start for s in stated
              if key(s)[:3] == (owner, owned, interest) and s.declares == declares and s.start
              and (old.start is None or s.start > old.start)]
    return min(starts) if starts else None
