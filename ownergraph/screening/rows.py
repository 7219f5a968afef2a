"""Screening a list of counterparties: match each row to a party, then give its verdict.

Matching tries the row's identifier first (a party key, `scheme:value`, or a bare value such as an LEI);
when that names no party, or the row has none, the name is looked up in the fulltext index and the
candidates are scored with `names.match_score` (country agreement breaks near-ties). The best candidate
at or above `min_score` is the match; every candidate considered is reported with its score, so a
reviewer sees why a row matched or did not. Used by POST /v1/screen and `ownergraph screen`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.store import Store
from ownergraph.screening import lookup, names

MIN_SCORE = 90.0  # a name match at or above this is taken
CANDIDATES = 5  # name candidates reported per row
COUNTRY_BONUS = 2.0  # added when the row's country agrees with the candidate's (never above 100)

CSV_COLUMNS = ("ref", "id", "name", "country")
RESULT_COLUMNS = ("ref", "input_id", "input_name", "input_country", "match", "score", "party_id", "party_name",
                  "verdict", "reason", "restricted_share_min", "restricted_share_max", "policy", "policy_hash",
                  "as_of", "candidates", "error")


@dataclass
class Row:
    """One counterparty to screen: an identifier, a name, or both."""

    ref: str | None = None
    id: str | None = None
    name: str | None = None
    country: str | None = None


@dataclass
class Candidate:
    id: str
    name: str | None
    country: str | None
    score: float

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "country": self.country, "score": self.score}


@dataclass
class Match:
    method: str  # "identifier", "name", "ambiguous" or "none"
    score: float
    party: Candidate | None = None
    candidates: list[Candidate] = field(default_factory=list)


def _candidate(hit: lookup.Hit, score: float) -> Candidate:
    return Candidate(id=hit.key, name=hit.name, country=hit.country, score=score)


def rank(row: Row, hits: Iterable[lookup.Hit]) -> list[Candidate]:
    """Name candidates scored against the row, best first."""
    out = []
    for hit in hits:
        score = names.match_score(row.name or "", hit.name)
        if row.country and hit.country and row.country.strip().upper()[:2] == hit.country:
            score = min(100.0, score + COUNTRY_BONUS)
        out.append(_candidate(hit, score))
    out.sort(key=lambda c: (-c.score, c.id))
    return out


def match(store: Store, row: Row, min_score: float = MIN_SCORE) -> Match:
    if row.id and row.id.strip():
        hits = lookup.by_identifier(store, row.id)
        if len(hits) == 1:
            return Match("identifier", 100.0, _candidate(hits[0], 100.0), [_candidate(hits[0], 100.0)])
        if len(hits) > 1:
            return Match("ambiguous", 100.0, None, [_candidate(h, 100.0) for h in hits])
    if not (row.name and names.normalise(row.name)):
        return Match("none", 0.0)
    ranked = rank(row, lookup.by_name(store, row.name, limit=lookup.NAME_CANDIDATES))[:CANDIDATES]
    if not ranked or ranked[0].score < min_score:
        return Match("none", ranked[0].score if ranked else 0.0, None, ranked)
    best = ranked[0]
    if len(ranked) > 1 and ranked[1].score == best.score:
        return Match("ambiguous", best.score, None, [c for c in ranked if c.score == best.score])
    return Match("name", best.score, best, ranked)


Verdicts = Callable[[str], dict]  # party key -> the verdict as SPEC.md §6 JSON


def screen(store: Store, rows: list[Row], verdict_of: Verdicts, min_score: float = MIN_SCORE) -> list[dict]:
    """Match every row and give the matched party's verdict (each party evaluated once)."""
    cache: dict[str, dict | OwnergraphError] = {}
    results = []
    for row in rows:
        found = match(store, row, min_score)
        result = {"input": {"ref": row.ref, "id": row.id, "name": row.name, "country": row.country},
                  "match": found.method, "score": found.score,
                  "party": found.party.public() if found.party else None,
                  "candidates": [c.public() for c in found.candidates],
                  "verdict": None, "error": None}
        if found.party:
            key = found.party.id
            if key not in cache:
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


def read_csv(text: str, max_rows: int) -> list[Row]:
    """Rows from CSV text with a header naming some of ref, id, name, country (others are ignored)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {h.strip().lower(): h for h in (reader.fieldnames or []) if h}
    if not ({"id", "name"} & header.keys()):
        raise ValueError("the CSV header needs an id or a name column")
    rows = []
    for i, record in enumerate(reader, start=2):
        if len(rows) >= max_rows:
            raise OverflowError(f"more than {max_rows} rows")
        values = {c: (record.get(header[c]) or "").strip() or None for c in CSV_COLUMNS if c in header}
        rows.append(Row(ref=values.get("ref") or f"line {i}", id=values.get("id"), name=values.get("name"),
                        country=values.get("country")))
    return rows


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # a spreadsheet must not read a party name as a formula
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(results: list[dict], policy: str, policy_hash: str, as_of: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for r in results:
        v = r["verdict"] or {}
        share = v.get("restricted_share") or {}
        party = r["party"] or {}
        candidates = "; ".join(f"{c['id']} ({c['name'] or 'no name'}) {c['score']:g}" for c in r["candidates"])
        writer.writerow([_cell(x) for x in (
            r["input"]["ref"], r["input"]["id"], r["input"]["name"], r["input"]["country"], r["match"],
            f"{r['score']:g}", party.get("id"), party.get("name"), v.get("verdict"), v.get("reason"),
            share.get("min"), share.get("max"), policy, policy_hash, as_of.isoformat(), candidates, r["error"])])
    return out.getvalue()
