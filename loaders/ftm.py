"""FollowTheMoney (FtM) entities, as OpenSanctions and Aleph export them: JSON lines (or a JSON array) of
`{"id", "schema", "properties": {name: [values]}}`, read through the followthemoney library, which
cleans the values (countries to codes, dates to ISO prefixes) and drops properties its schema lacks.

Parties:
- Company, Organization and LegalEntity are organisations of kind company; PublicBody is a public-body;
  Person a person. Identifiers: `ftm:<id>` (the party's key when new), `ftm:<referent>` for the ids
  OpenSanctions merged into it (statements may still name them), `LEI:<leiCode>`, and
  `GB-COH:<registrationNumber>` when the jurisdiction is gb and the number has the shape of a
  Companies House number, so FtM, GLEIF, PSC and BODS records about one company meet.
- Jurisdiction is `jurisdiction`. Headquarters is `mainCountry` ("primary country"); failing that, the
  `country` when the entity has exactly one: FtM's `country` is any country the entity is associated
  with, and only a single one can be read as the seat. Persons get `nationality` and `citizenship` as
  nationalities. Countries are ISO alpha-2; FtM's codes for parts of a country (gb-wls) give the country,
  its codes for no present country (zz, eu, suhh) are left out.
- Lists: from OpenSanctions' `datasets` and `topics` through `loaders/ftm_lists.py`, memberships without
  dates (the topic says the entity is listed now). A Sanction entity whose authority names a list the
  table knows (BIS's Entity List in the Consolidated Screening List) puts its entity on that list for
  the sanction's period: from its earliest `startDate` (else `listingDate`) to its latest `endDate`
  (exclusive), so a verdict as of a date sees the memberships valid then. A sanction whose status says
  it ended (inactive, expired, delisted, ...) but that gives no end date is left out. The list is added
  at the end of the file, to entities the file holds.

Stakes (Ownership, owner -> asset):
- Share: `percentage` read exactly as a Decimal: "1.81", "25%", "21,88"; a range "25-50" (or "25 to 50")
  is [25, 50]; ">25", "more than 25" is (25, 100]; "<10" is [0, 10); several differing percentages for
  one holding give the range they span. No percentage: undisclosed (0-100).
- Interest: `role` values that are UK PSC natures of control (OpenSanctions writes them as "Ownership of
  shares 25 to 50 percent") map through `loaders/psc_natures.py`, with their bands. Otherwise the words
  of `ownershipType` and `role`: voting -> voting-rights; board, appoint, director ->
  appointment-of-board; control, influence -> other-influence-or-control; anything else (direct,
  beneficial, none) -> shareholding. `ownershipType` "indirect" or "ultimate" makes the stake a
  declaration that is kept, not counted (it summarises a chain whose links count), declaring `indirect`
  or `ultimate-owner`.
- `startDate` (the earliest) is the start, `endDate` (the latest) the end, read as the file gives them:
  the library drops a date that does not exist (2019-02-30), so it is checked before and rejects the
  record. Provenance `ftm:<file>`, the Ownership's id, its `sourceUrl`, statement date OpenSanctions'
  `last_change`, else `modifiedAt`, else `date`.
- An Ownership merged from several fragments can name several owners and assets; FtM keeps their values
  in the order of the fragments, so owners[i] -> assets[i] with percentage[i] (the KEK network's
  mutual holdings are stored this way). When the counts do not line up and the percentages cannot be
  told apart, the record is rejected as ambiguous.

Directorships are not loaded: a seat on a board, even a company's seat, is a role, not the right to
appoint the board (`appointment-of-board`, which restricts outright under the default policy) nor a
share. Other schemas (addresses, vessels, documents, ...) hold no ownership and are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from followthemoney import model
from followthemoney.exc import FollowTheMoneyException
from followthemoney.proxy import EntityProxy

from ownergraph.graph import identifiers
from ownergraph.graph.model import Listing, PartyRecord, Provenance, RecordError, StakeRecord
from ownergraph.graph.share import HUNDRED, Share, ShareError, to_decimal
from ownergraph.loaders import ftm_lists, values
from ownergraph.loaders.files import head, iter_json
from ownergraph.loaders.psc_natures import nature
from ownergraph.loaders.records import Item, Reject

LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
NUMBER = r"(\d+(?:[.,]\d+)?)"
EXACT = re.compile(rf"^{NUMBER}\s*%?$")
RANGE = re.compile(rf"^{NUMBER}\s*%?\s*(?:-|–|—|to|bis)\s*{NUMBER}\s*%?$", re.I)
OPERATORS = r"(>=|<=|≥|≤|>|<|more than|over|above|at least|less than|under|below|up to|at most)"
BOUND = re.compile(rf"^{OPERATORS}\s*{NUMBER}\s*%?$", re.I)
LOWER_OPEN = {">", "more than", "over", "above"}
LOWER_CLOSED = {">=", "≥", "at least"}
UPPER_OPEN = {"<", "less than", "under", "below"}

# words of ownershipType / role -> interest, first match wins
INTEREST_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"vot", re.I), "voting-rights"),
    (re.compile(r"board|appoint|director", re.I), "appointment-of-board"),
    (re.compile(r"control|influence", re.I), "other-influence-or-control"),
)
DECLARATIONS = (("indirect", "indirect"), ("ultimate", "ultimate-owner"))
ENDED_SANCTION = re.compile(r"inactive|expired|revoked|delisted|lifted", re.I)


def read(path: Path) -> Iterator[Item]:
    seen: set[str] = set()
    listed: dict[str, tuple[Provenance, dict[Listing, None]]] = {}
    for item in iter_json(path):
        if isinstance(item, Reject):
            yield item
            continue
        name, location, obj = item
        try:
            entity, obj = _entity(obj)
            source = f"ftm:{name}"
            schema = entity.schema
            if schema.is_a("LegalEntity"):
                party = _party(entity, obj, source)
                seen.update(party.identifiers)
                yield party
            elif schema.is_a("Ownership"):
                yield from _ownership(entity, obj, source, name, location)
            elif schema.is_a("Sanction"):
                _sanction(entity, obj, source, listed)
        except RecordError as exc:
            yield Reject(name, location, str(exc), json.dumps(obj, ensure_ascii=False)[:2000])
    for target, (provenance, periods) in listed.items():
        if target in seen:
            yield PartyRecord((target,), provenance, kind="unknown", listings=tuple(periods))


def _entity(obj: object) -> tuple[EntityProxy, dict]:
    """The entity proxy of one JSON object, and the object (for OpenSanctions' envelope fields)."""
    if not isinstance(obj, dict) or "schema" not in obj or not isinstance(obj.get("properties", {}), dict):
        raise RecordError("not an FtM entity: no schema or properties")
    if not str(obj.get("id") or "").strip():
        raise RecordError("FtM entity without an id")
    try:
        return model.get_proxy(obj, cleaned=False), obj
    except (FollowTheMoneyException, TypeError, ValueError) as exc:
        raise RecordError(f"unreadable FtM entity: {exc}") from None


def _party(entity: EntityProxy, obj: dict, source: str) -> PartyRecord:
    schema = entity.schema
    ids = [f"ftm:{entity.id}"]
    ids.extend(f"ftm:{r}" for r in obj.get("referents") or [] if isinstance(r, str) and r.strip())
    ids.extend(identifiers.make("LEI", v) for v in _all(entity, "leiCode") if LEI.match(v.strip().upper()))
    jurisdictions = [c for c in (values.alpha2(v) for v in _all(entity, "jurisdiction")) if c]
    if "GB" in jurisdictions:
        for number in _all(entity, "registrationNumber"):
            compact = re.sub(r"\s+", "", number).upper()
            if identifiers.GB_COMPANY_NUMBER.match(compact):
                ids.append(identifiers.make("GB-COH", compact))
    provenance = Provenance(source, str(entity.id), _statement_date(entity, obj), _url(entity))
    lists = ftm_lists.lists_of(obj.get("datasets") or [], _all(entity, "topics"))
    name = entity.caption if entity.caption != schema.label else None
    addresses = tuple(dict.fromkeys(a.strip() for a in _all(entity, "address") if a.strip()))
    if schema.is_a("Person"):
        nationalities = [values.alpha2(v) for v in _all(entity, "nationality") + _all(entity, "citizenship")]
        return PartyRecord(tuple(dict.fromkeys(ids)), provenance, name=name, kind="person",
                           nationalities=tuple(dict.fromkeys(n for n in nationalities if n)),
                           lists=lists, addresses=addresses)
    main = [c for c in (values.alpha2(v) for v in _all(entity, "mainCountry")) if c]
    countries = list(dict.fromkeys(c for c in (values.alpha2(v) for v in _all(entity, "country")) if c))
    headquarters = main[0] if main else (countries[0] if len(countries) == 1 else None)
    status = entity.first("status", quiet=True)
    return PartyRecord(
        tuple(dict.fromkeys(ids)), provenance, name=name,
        kind="public-body" if schema.is_a("PublicBody") else "company",
        jurisdiction=jurisdictions[0] if jurisdictions else None, headquarters=headquarters,
        lists=lists, addresses=addresses, status=status.strip() if status else None,
    )


def _ownership(entity: EntityProxy, obj: dict, source: str, file: str, location: str) -> Iterator[Item]:
    owners, assets = _all(entity, "owner"), _all(entity, "asset")
    if not owners or not assets:
        raise RecordError("Ownership without owner or asset")
    percentages = _all(entity, "percentage")
    if len(owners) == 1 and len(assets) == 1:
        pairs = [(owners[0], assets[0], percentages)]
    elif len(owners) == len(assets) and len(percentages) in (0, 1, len(owners)):
        pairs = [(o, a, [percentages[i]] if len(percentages) == len(owners) else percentages)
                 for i, (o, a) in enumerate(zip(owners, assets))]
    elif len(percentages) <= 1 and (len(owners) == 1 or len(assets) == 1):
        pairs = [(o, a, percentages) for o in owners for a in assets]
    else:
        raise RecordError(f"ambiguous Ownership: {len(owners)} owners, {len(assets)} assets and "
                          f"{len(percentages)} percentages cannot be paired")
    provenance = Provenance(source, str(entity.id), _statement_date(entity, obj), _url(entity))
    start = min(raw_dates(obj, "startDate"), default=None)
    end = max(raw_dates(obj, "endDate"), default=None)
    counted, declares = True, None
    for word, declared in DECLARATIONS:
        if any(word in t.lower() for t in _all(entity, "ownershipType")):
            counted, declares = False, declared
            break
    for owner, asset, texts in pairs:
        try:
            interests = _interests(entity, share_of(texts), bool(texts))
            for interest, share in interests.items():
                yield StakeRecord(f"ftm:{owner}", f"ftm:{asset}", provenance, interest=interest, share=share,
                                  start=start, end=end, counted=counted, declares=declares)
        except RecordError as exc:
            yield Reject(file, location, f"{exc} (Ownership {entity.id})", json.dumps(obj, ensure_ascii=False)[:2000])


def _interests(entity: EntityProxy, share: Share, stated: bool) -> dict[str, Share]:
    """Interest type -> share: PSC natures among the roles with their bands, and the stated percentage."""
    out: dict[str, Share] = {}
    other_words = list(_all(entity, "ownershipType"))
    for role in _all(entity, "role"):
        found = nature(re.sub(r"[\s_]+", "-", role.strip().lower()))
        if found is None:
            other_words.append(role)
            continue
        held = out.get(found.interest)
        if held is None or (found.share.lo, found.share.lo_open) > (held.lo, held.lo_open):
            out[found.interest] = found.share
    if stated or not out:
        interest = "shareholding"
        for pattern, named in INTEREST_WORDS:
            if any(pattern.search(w) for w in other_words):
                interest = named
                break
        out[interest] = share
    return out


def share_of(texts: list[str]) -> Share:
    """The share the percentages of one holding state; several that differ give the range they span."""
    shares = [percentage(t) for t in texts if t and t.strip()]
    if not shares:
        return Share.unknown()
    lo = min(shares, key=lambda s: (s.lo, not s.lo_open))
    hi = max(shares, key=lambda s: (s.hi, not s.hi_open))
    try:
        return Share(lo.lo, hi.hi, lo.lo_open, hi.hi_open)
    except ShareError as exc:
        raise RecordError(str(exc)) from None


def percentage(text: str) -> Share:
    """One FtM percentage: exact ("21.88", "25%"), a range ("25-50") or a bound (">25", "less than 10")."""
    value = text.strip()
    try:
        if match := EXACT.match(value):
            return Share.exact(_number(match.group(1)))
        if match := RANGE.match(value):
            return Share(_number(match.group(1)), _number(match.group(2)))
        if match := BOUND.match(value):
            op, number = match.group(1).lower(), _number(match.group(2))
            if op in LOWER_OPEN or op in LOWER_CLOSED:
                return Share(number, HUNDRED, lo_open=op in LOWER_OPEN)
            return Share(Decimal(0), number, hi_open=op in UPPER_OPEN)
    except ShareError as exc:
        raise RecordError(f"bad percentage: {text!r} ({exc})") from None
    raise RecordError(f"bad percentage: {text!r} is not a number, range or bound")


def _number(text: str) -> Decimal:
    return to_decimal(text.replace(",", "."))


def _sanction(entity: EntityProxy, obj: dict, source: str,
              listed: dict[str, tuple[Provenance, dict[Listing, None]]]) -> None:
    """Note the list membership a Sanction entity states for its entity, with its period: from the
    earliest `startDate` (else `listingDate`) to the latest `endDate`. A sanction whose status says it
    ended but that gives no end date is left out: when it ended is not known."""
    name = ftm_lists.authority_list(_all(entity, "authority") + _all(entity, "program"))
    if name is None:
        return
    starts = raw_dates(obj, "startDate") or raw_dates(obj, "listingDate")
    ends = raw_dates(obj, "endDate")
    if not ends and any(ENDED_SANCTION.search(s) for s in _all(entity, "status")):
        return
    period = Listing(name, min(starts, default=None), max(ends, default=None))
    if period.start and period.end and period.end <= period.start:
        raise RecordError(f"Sanction {entity.id}: end {period.end} is not after start {period.start}")
    provenance = Provenance(source, str(entity.id), _statement_date(entity, obj), _url(entity))
    for target in _all(entity, "entity"):
        _, periods = listed.setdefault(f"ftm:{target}", (provenance, {}))
        periods[period] = None


def raw_dates(obj: dict, prop: str) -> list[date]:
    """The dates of a property as the file gives them, read before the followthemoney library cleans
    them (it drops a date that does not exist, 2019-02-30, without a word); such a date rejects the record."""
    given = (obj.get("properties") or {}).get(prop) or []
    texts = [given] if isinstance(given, str) else [v for v in given if isinstance(v, str)]
    return [d for d in (values.iso_date(v, prop) for v in texts) if d]


def _url(entity: EntityProxy) -> str | None:
    """The record's link to its source (`sourceUrl`), kept as its provenance."""
    urls = [u.strip() for u in _all(entity, "sourceUrl") if u.strip()]
    return urls[0] if urls else None


def _statement_date(entity: EntityProxy, obj: dict) -> date | None:
    for value in [obj.get("last_change")] + _all(entity, "modifiedAt") + _all(entity, "date"):
        if value:
            try:
                return values.iso_date(str(value), "statement date")
            except RecordError:
                continue
    return None


def sniff(path: Path) -> bool:
    """FtM: JSON whose first object has "schema" and "properties"."""
    if path.is_dir():
        return False
    text = head(path, 8192).lstrip()
    if text.startswith("["):
        text = text[1:].lstrip()
    if not text.startswith("{"):
        return False
    try:
        first, _ = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError:
        return re.search(r'^\{[^{]*"schema"\s*:', text) is not None and '"properties"' in text
    return isinstance(first, dict) and isinstance(first.get("schema"), str) and \
        isinstance(first.get("properties"), dict)


def _all(entity: EntityProxy, prop: str) -> list[str]:
    """The values of a property, none when the entity's schema lacks it."""
    return entity.get(prop, quiet=True)
