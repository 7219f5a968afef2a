"""Screening a list of counterparties: match each row to a party, then give its verdict.

Matching tries the row's identifier first (a party key, `scheme:value`, or a bare value such as an LEI);
when that names no party, or the row has none, the name is looked up in the fulltext index and the
candidates are scored with `names.match_score` (country agreement breaks near-ties). The best candidate
at or above `min_score` is the match; every candidate considered is reported with its score, so a
reviewer sees why a row matched or did not. Used by POST /v1/screen and `ownergraph screen`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from neo4j.exceptions import ClientError

from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.store import Store, pages
from ownergraph.screening import lookup, names

MIN_SCORE = 90.0  # a name match at or above this is taken
CANDIDATES = 5  # name candidates reported per row
COUNTRY_BONUS = 2.0  # added when the row's country agrees with the candidate's (never above 100)
BATCH = 500  # rows looked up together



@dataclass
class Row:
    """One counterparty to screen: an identifier, a name, or both; `error` when the row could not be read."""

    ref: str | None = None
    id: str | None = None
    name: str | None = None
    country: str | None = None
    error: str | None = None


@dataclass
class Candidate:
    id: str
    name: str | None
    country: str | None
    score: float
    form: int = 0  # how closely the whole name agrees, legal form included (names.form_agreement)

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "country": self.country, "score": self.score}


@dataclass
class Match:
    method: str  # "identifier", "name", "ambiguous" or "none"
    score: float
    party: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)


def _candidate(hit: lookup.Hit, score: float, form: int = 0) -> Candidate:
    return Candidate(id=hit.key, name=hit.name, country=hit.country, score=score, form=form)


def rank(row: Row, hits: Iterable[lookup.Hit]) -> list[Candidate]:
    """Name candidates scored against the row, best first; at equal scores the name that agrees whole
    (legal form included) comes first."""
    out = []
    for hit in hits:
        score = names.match_score(row.name or "", hit.name)
        if row.country and hit.country and row.country.strip().upper()[:2] == hit.country:
            score = min(100.0, score + COUNTRY_BONUS)
        out.append(_candidate(hit, score, names.form_agreement(row.name or "", hit.name)))
    out.sort(key=lambda c: (-c.score, -c.form, c.id))
    return out


def match(store: Store, row: Row, min_score: float = MIN_SCORE, id_hits: list[lookup.Hit] | None = None,
          name_hits: list[lookup.Hit] | None = None) -> Match:
    """The row's match; `id_hits` and `name_hits` are the lookups' answers when already read (match_all)."""
    if row.id and row.id.strip():
        hits = id_hits if id_hits is not None else lookup.by_identifier(store, row.id)
        if len(hits) == 1:
            return Match("identifier", 100.0, _candidate(hits[0], 100.0), [_candidate(hits[0], 100.0)])
        if len(hits) > 1:
            return Match("ambiguous", 100.0, None, [_candidate(h, 100.0) for h in hits])
    if not (row.name and names.normalise(row.name)):
        return Match("none", 0.0)
    hits = name_hits if name_hits is not None else lookup.by_name(store, row.name, limit=lookup.NAME_CANDIDATES)
    ranked = rank(row, hits)[:CANDIDATES]
    if not ranked or ranked[0].score < min_score:
        return Match("none", ranked[0].score if ranked else 0.0, None, ranked)
    best = ranked[0]
    if len(ranked) > 1 and (ranked[1].score, ranked[1].form) == (best.score, best.form):
        tied = [c for c in ranked if (c.score, c.form) == (best.score, best.form)]
        return Match("ambiguous", best.score, None, tied)
    return Match("name", best.score, best, ranked)


def match_all(store: Store, rows: list[Row], min_score: float = MIN_SCORE) -> list[Match | ClientError]:
    """`match` of every row, the identifier lookups of all rows in one statement and the name lookups of
    the rows they leave unmatched in another; when the database refuses the batch, each row alone."""
    with_id = [n for n, row in enumerate(rows) if row.id and row.id.strip()]
    try:
        id_hits = dict(zip(with_id, lookup.by_identifiers(store, [rows[n].id or "" for n in with_id])))
        by_name = [n for n, row in enumerate(rows) if len(id_hits.get(n, [])) == 0 and names.normalise(row.name)]
        name_hits = dict(zip(by_name, lookup.by_names(store, [rows[n].name or "" for n in by_name],
                                                      limit=lookup.NAME_CANDIDATES)))
    except ClientError:
        id_hits, name_hits = {}, {}
    out: list[Match | ClientError] = []
    for n, row in enumerate(rows):
        try:
            if n in id_hits or n in name_hits or not (n in with_id or names.normalise(row.name)):
                out.append(match(store, row, min_score, id_hits.get(n, []), name_hits.get(n, [])))
            else:
                out.append(match(store, row, min_score))
        except ClientError as exc:
            out.append(exc)
    return out


Verdicts = Callable[[str], dict]  # party key -> the verdict as SPEC.md §6 JSON
VerdictsOf = Callable[[list[str]], Mapping[str, "dict | OwnergraphError"]]  # several keys at once


def screen(store: Store, rows: list[Row], verdict_of: Verdicts | None, min_score: float = MIN_SCORE,
           verdicts_of: VerdictsOf | None = None, progress: Callable[[int], None] | None = None) -> list[dict]:
    """Match every row and give the matched party's verdict (each party evaluated once; all of them in one
    call of `verdicts_of` when given). `progress` is told how many rows are done, per batch of rows."""
    results = []
    for page in pages(rows, BATCH):
        results += _screen_batch(store, page, verdict_of, min_score, verdicts_of)
        if progress:
            progress(len(results))
    return results


def _screen_batch(store: Store, rows: Sequence[Row], verdict_of: Verdicts | None, min_score: float,
                  verdicts_of: VerdictsOf | None) -> list[dict]:
    cache: dict[str, dict | OwnergraphError] = {}
    results = []
    for row in rows:
        if not (row.error or (row.id or "").strip() or (row.name or "").strip()):
            row.error = f"{row.ref}: neither an id nor a name" if row.ref else "neither an id nor a name"
    pending = [row for row in rows if not row.error]
    matched = dict(zip(map(id, pending), match_all(store, pending, min_score)))
    if verdicts_of:
        keys = list(dict.fromkeys(m.party.id for m in matched.values() if isinstance(m, Match) and m.party))
        cache.update(verdicts_of(keys) if keys else {})
    for row in rows:
        got = matched.get(id(row), Match("none", 0.0))
        if isinstance(got, ClientError):  # a query the database refuses spoils this row only
            row.error = f"{row.ref or 'row'}: cannot be searched ({got.message or got.code})"
            got = Match("none", 0.0)
        found = got
        result = {"input": {"ref": row.ref, "id": row.id, "name": row.name, "country": row.country},
                  "match": found.method, "score": found.score,
                  "party": found.party.public() if found.party else None,
                  "candidates": [c.public() for c in found.candidates],
                  "verdict": None, "error": row.error}
        if found.party:
            key = found.party.id
            if key not in cache and verdict_of is not None:
                try:
                    cache[key] = verdict_of(key)
                except OwnergraphError as exc:
                    cache[key] = exc
            outcome = cache[key]
            if isinstance(outcome, OwnergraphError):
                result["error"] = str(outcome)
            else:
                result["verdict"] = outcome
        results.append(result)
    return results
