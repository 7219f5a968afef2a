"""The UK PSC register: Companies House's persons-with-significant-control snapshot.

The snapshot is JSON lines (plain, .gz or a .zip of .txt), `{"company_number": "...", "data": {"kind": ...}}`
per line; a JSON array of such lines is read too. Its last line, kind
`totals#persons-of-significant-control-snapshot`, only counts the others and is skipped. A line that
cannot be read (malformed JSON, no company number, an unknown kind, a bad date) is rejected with its
file, line and reason; an unknown nature of control is rejected on its own and the line's other
natures still load.

What each line becomes:

- **The company**: a party `GB-COH:<number>` (zero-padded), kind company, jurisdiction GB. Overseas
  companies and entities on Companies House's registers (numbers FC, SF, NF, BR; OE for the Register of
  Overseas Entities) are incorporated abroad, so their jurisdiction is left unknown.
- **individual-person-with-significant-control / individual-beneficial-owner**: a person
  `GB-PSC:<id>`, the id being the last segment of `links.self`; name (or its elements); nationalities
  as ISO codes ("British,Irish" -> GB, IE); the country of residence and the service address kept as
  addresses ("country of residence: England"). Companies House gives every appointment its own id, so
  one person who controls two companies is two parties.
- **corporate-entity-... / legal-person-...** (and the `-beneficial-owner` kinds): an organisation,
  linked to the company node of its number where it is registered at Companies House (see
  `corporate_identifiers`), else `GB-PSC:<id>`. Jurisdiction from `identification` (see
  `corporate_identifiers`); headquarters from the ROE's principal office address, else the address
  given, which for a corporate PSC is its registered or principal office. A legal person (a government,
  a state body, a corporation sole) is kind `state` or `public-body` when its name or legal form says so
  (`legal_person_kind`), else company.
- **super-secure-...**: a party `GB-PSC:<id>` of kind unknown with no name (its details are withheld by
  law); it and the company carry `PSC_SUPER_SECURE:<description>`; the stake is an unknown-interest of
  undisclosed share. A super-secure PSC marked `ceased` (no date is given) yields no stake.
- **persons-with-significant-control-statement**: the company carries `PSC_STATEMENT:<code>` (e.g.
  `PSC_STATEMENT:no-individual-or-entity-with-signficant-control`) while the statement is in force; a
  ceased statement no longer describes the company and is recorded as a source of it only.
- **exemptions**: the company carries `PSC_EXEMPTION:<exemption_type>` for each exemption still in
  force (an item without `exempt_to`).
- `is_sanctioned: true` on an overseas entity's beneficial owner puts it on the list `uk-sanctions`.

Stakes: the natures of control map to interests through `loaders/psc_natures.py`. A record's natures
that map to the same interest type are one stake (a holding listed directly and as a trustee is one
holding; counting takes each owner's largest share anyway); its share is the highest band among them.
A PSC with no nature of control known is an unknown-interest stake. `notified_on` is the start,
`ceased_on` the (exclusive) end.

Provenance: source `uk-psc:<file>`, record `links.self`, statement date the most recent of
`notified_on` and `ceased_on` (a record that reports the end was stated no earlier than the end), else
the line's `ContentDate`, else the date in the file name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path

from followthemoney.types import registry

from ownergraph.graph import identifiers
from ownergraph.graph.model import PartyRecord, Provenance, RecordError, StakeRecord
from ownergraph.graph.share import Share
from ownergraph.loaders import values
from ownergraph.loaders.files import head, iter_json
from ownergraph.loaders.psc_natures import nature
from ownergraph.loaders.records import Item, Reject

TOTALS = "totals#persons-of-significant-control-snapshot"
INDIVIDUAL = {"individual-person-with-significant-control", "individual-beneficial-owner"}
CORPORATE = {"corporate-entity-person-with-significant-control", "corporate-entity-beneficial-owner"}
LEGAL = {"legal-person-person-with-significant-control", "legal-person-beneficial-owner"}
SUPER_SECURE = {"super-secure-person-with-significant-control", "super-secure-beneficial-owner"}
STATEMENT = "persons-with-significant-control-statement"
EXEMPTIONS = "exemptions"
KINDS = INDIVIDUAL | CORPORATE | LEGAL | SUPER_SECURE | {STATEMENT, EXEMPTIONS, TOTALS}

# Companies House numbers of companies incorporated abroad (overseas companies, branches, overseas entities)
FOREIGN_PREFIXES = ("FC", "SF", "NF", "BR", "OE")
SANCTIONS_LIST = "uk-sanctions"

COMPANIES_HOUSE = re.compile(r"companies\s*house", re.I)
# UK registers that are not Companies House: their numbers are not company numbers
OTHER_UK_REGISTER = re.compile(
    r"financial\s+(conduct|services)\s+authority|\bfca\b|\bfsa\b|mutuals|friendly\s+societ|charit|"
    r"industrial\s+and\s+provident|co-?operative", re.I)
PUBLIC_BODY = re.compile(
    r"\b(government department|ministry|department|agency|authority|council|administration|public body|"
    r"public corporation|municipal|statutory|state[- ]owned)\b", re.I)
STATE = re.compile(r"\b(government|sovereign|state|kingdom of|republic of)\b", re.I)
DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def read(path: Path) -> Iterator[Item]:
    file_date = _date_in_name(path.name)
    for item in iter_json(path):
        if isinstance(item, Reject):
            yield item
            continue
        name, location, obj = item
        try:
            yield from line_items(obj, name, location, file_date)
        except RecordError as exc:
            yield Reject(name, location, str(exc), json.dumps(obj, ensure_ascii=False)[:2000])


def line_items(obj: object, file: str, location: str, file_date: date | None = None) -> list[Item]:
    """The parties, stakes and rejects of one snapshot line; a RecordError when it cannot be read at all."""
    if not isinstance(obj, dict) or not isinstance(obj.get("data"), dict):
        raise RecordError("not a PSC snapshot line: no data object")
    data = obj["data"]
    kind = str(data.get("kind") or "").strip()
    if kind == TOTALS:
        return []
    if kind not in KINDS:
        raise RecordError(f"unknown PSC kind: {kind!r}")
    number = str(obj.get("company_number") or "").strip()
    if not number:
        raise RecordError("no company_number")
    company = identifiers.make("GB-COH", number)
    links = _dict(data.get("links"))
    record = str(links.get("self") or f"/company/{number}")
    provenance = Provenance(f"uk-psc:{file}", record, _statement_date(data, obj, file_date))

    if kind == STATEMENT:
        code = str(data.get("statement") or "").strip()
        if not code:
            raise RecordError("statement without a statement code")
        in_force = not data.get("ceased_on")
        return [_company(company, provenance, (f"PSC_STATEMENT:{code}",) if in_force else ())]
    if kind == EXEMPTIONS:
        return [_company(company, provenance, _exemptions(data))]

    psc_id = record.rstrip("/").rsplit("/", 1)[-1] if links.get("self") else ""
    if not psc_id:
        raise RecordError("no links.self: the PSC has no id")
    owner_id = identifiers.make("GB-PSC", psc_id)
    if kind in SUPER_SECURE:
        marker = f"PSC_SUPER_SECURE:{data.get('description') or kind}"
        items: list[Item] = [
            _company(company, provenance, (marker,)),
            PartyRecord((owner_id,), provenance, kind="unknown", reporting_exceptions=(marker,)),
        ]
        if not data.get("ceased"):
            items.append(StakeRecord(owner_id, company, provenance, interest="unknown-interest"))
        return items

    items = [_company(company, provenance)]
    if kind in INDIVIDUAL:
        party = _individual(data, owner_id, provenance)
    else:
        party = _organisation(data, owner_id, provenance, legal=kind in LEGAL)
    items.append(party)
    items.extend(_stakes(data, party.identifiers[0], company, provenance, file, location))
    return items


def _company(company: str, provenance: Provenance, exceptions: tuple[str, ...] = ()) -> PartyRecord:
    number = company.partition(":")[2]
    abroad = number.startswith(FOREIGN_PREFIXES)
    return PartyRecord((company,), provenance, kind="company", jurisdiction=None if abroad else "GB",
                       reporting_exceptions=exceptions)


def _individual(data: dict, owner_id: str, provenance: Provenance) -> PartyRecord:
    residence = _text(data.get("country_of_residence"))
    addresses = tuple(a for a in (
        _address("service address", data.get("address")),
        f"country of residence: {residence}" if residence else None,
    ) if a)
    return PartyRecord(
        (owner_id,), provenance, name=_person_name(data), kind="person",
        nationalities=nationalities(data.get("nationality")), addresses=addresses, lists=_lists(data),
    )


def _organisation(data: dict, owner_id: str, provenance: Provenance, legal: bool) -> PartyRecord:
    identification = _dict(data.get("identification"))
    ids, jurisdiction = corporate_identifiers(identification)
    office = data.get("principal_office_address") or data.get("address")
    headquarters = country(office.get("country")) if isinstance(office, dict) else None
    addresses = tuple(a for a in (
        _address("principal office", data.get("principal_office_address")),
        _address("address", data.get("address")),
    ) if a)
    name = _text(data.get("name"))
    kind = legal_person_kind(name, _text(identification.get("legal_form"))) if legal else "company"
    return PartyRecord(
        ids + (owner_id,), provenance, name=name, kind=kind, jurisdiction=jurisdiction,
        headquarters=headquarters, addresses=addresses, lists=_lists(data),
    )


def corporate_identifiers(identification: dict) -> tuple[tuple[str, ...], str | None]:
    """The Companies House identifier (if any) and the jurisdiction of a corporate or legal-person PSC.

    The fields are free text. The jurisdiction is the first of `country_registered`, `place_registered`
    and `legal_authority` that names a country (followthemoney's country lookup: "England And Wales",
    "England & Wales", "Scotland", "Northern Ireland", "United Kingdom", "Uk" -> GB; "Minnesota, Usa" ->
    US; "People'S Republic Of China" -> CN; "West Yorkshire", "Companies Act 2006" -> nothing).

    The PSC is linked to `GB-COH:<registration_number>` (so it meets that company's node) when the
    number has the shape of a Companies House number (up to eight digits, or two letters and up to six
    digits, spaces ignored) and the register is Companies House: `place_registered` says "Companies
    House", or the jurisdiction is GB and `place_registered` names no other register (the FCA's mutuals
    register, the Charity Commission, a foreign place). A linked PSC's jurisdiction is GB.
    """
    number = re.sub(r"\s+", "", _text(identification.get("registration_number")) or "").upper()
    place = _text(identification.get("place_registered")) or ""
    jurisdiction = None
    for field in ("country_registered", "place_registered", "legal_authority"):
        jurisdiction = country(identification.get(field))
        if jurisdiction:
            break
    at_companies_house = bool(COMPANIES_HOUSE.search(place))
    other_register = bool(place) and not at_companies_house and (
        OTHER_UK_REGISTER.search(place) is not None or country(place) not in (None, "GB"))
    ch_shape = bool(number) and identifiers.GB_COMPANY_NUMBER.match(number) is not None
    if ch_shape and (at_companies_house or (jurisdiction == "GB" and not other_register)):
        return (identifiers.make("GB-COH", number),), "GB"
    return (), jurisdiction


def legal_person_kind(name: str | None, legal_form: str | None) -> str:
    """A legal person's kind from its name and legal form: public-body, state, else company."""
    text = f"{legal_form or ''} {name or ''}"
    if PUBLIC_BODY.search(text):
        return "public-body"
    if STATE.search(text):
        return "state"
    return "company"


def _stakes(data: dict, owner: str, company: str, provenance: Provenance, file: str,
            location: str) -> list[Item]:
    start = values.iso_date(data.get("notified_on"), "notified_on")
    end = values.iso_date(data.get("ceased_on"), "ceased_on")
    by_interest: dict[str, Share] = {}
    out: list[Item] = []
    codes = data.get("natures_of_control") or []
    if isinstance(codes, str):
        codes = [codes]
    for code in codes:
        found = nature(str(code))
        if found is None:
            out.append(Reject(file, location, f"unknown nature of control: {code!r} ({provenance.record})",
                              _raw(data)))
            continue
        held = by_interest.get(found.interest)
        if held is None or _rank(found.share) > _rank(held):
            by_interest[found.interest] = found.share
    if not by_interest:
        by_interest["unknown-interest"] = Share.unknown()
    for interest, share in by_interest.items():
        try:
            out.append(StakeRecord(owner, company, provenance, interest=interest, share=share,
                                   start=start, end=end))
        except RecordError as exc:
            out.append(Reject(file, location, f"{exc} ({provenance.record})", _raw(data)))
    return out


def _raw(data: dict) -> str:
    """A PSC record as the rejects file shows it."""
    return json.dumps(data, ensure_ascii=False, default=str)[:2000]


def _rank(share: Share) -> tuple:
    return share.lo, share.lo_open, share.hi


def _exemptions(data: dict) -> tuple[str, ...]:
    out = []
    exemptions = _dict(data.get("exemptions"))
    for key, exemption in exemptions.items():
        if not isinstance(exemption, dict):
            continue
        kind = _text(exemption.get("exemption_type")) or key.replace("_", "-")
        items = [i for i in exemption.get("items") or [] if isinstance(i, dict)]
        if not items or any(not i.get("exempt_to") for i in items):
            out.append(f"PSC_EXEMPTION:{kind}")
    return tuple(out)


def _statement_date(data: dict, obj: dict, file_date: date | None) -> date | None:
    stated = [d for d in (values.iso_date(data.get("notified_on"), "notified_on"),
                          values.iso_date(data.get("ceased_on"), "ceased_on")) if d]
    if stated:
        return max(stated)
    content = obj.get("ContentDate")
    if content:
        return values.iso_date(str(content), "ContentDate")
    return file_date


def _date_in_name(name: str) -> date | None:
    match = DATE_IN_NAME.search(name)
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _lists(data: dict) -> tuple[str, ...]:
    return (SANCTIONS_LIST,) if data.get("is_sanctioned") is True else ()


def country(text: object) -> str | None:
    """ISO 3166-1 alpha-2 code of a country as people write it (name, adjective, code), else None.

    followthemoney's country lookup does the matching; its codes for parts of a country (gb-wls, gb-sct,
    gb-nir; ua-cri) give the country, and its codes for no present country (zz, eu, suhh) give None.
    """
    value = _text(text)
    if not value:
        return None
    return _country_code(value)


@lru_cache(maxsize=8192)
def _country_code(value: str) -> str | None:
    # the same few hundred spellings come back on every line: the lookup is cached (bounded)
    return values.alpha2(registry.country.clean(value))


def nationalities(text: object) -> tuple[str, ...]:
    """Nationalities as ISO codes: "British" -> GB, "British,Irish" -> (GB, IE); unrecognised ones are left out."""
    value = _text(text)
    if not value:
        return ()
    return _nationality_codes(value)


@lru_cache(maxsize=8192)
def _nationality_codes(value: str) -> tuple[str, ...]:
    codes = (country(part) for part in re.split(r"[,;/]| and ", value))
    return tuple(dict.fromkeys(c for c in codes if c))


def _person_name(data: dict) -> str | None:
    name = _text(data.get("name"))
    if name:
        return name
    elements = _dict(data.get("name_elements"))
    parts = [_text(elements.get(k)) for k in ("forename", "middle_name", "other_forenames", "surname")]
    return " ".join(p for p in parts if p) or None


def _address(label: str, address: object) -> str | None:
    if not isinstance(address, dict):
        return None
    keys = ("care_of", "premises", "address_line_1", "address_line_2", "locality", "region", "postal_code", "country")
    parts = [_text(address.get(k)) for k in keys]
    text = ", ".join(p for p in parts if p)
    return f"{label}: {text}" if text else None


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def sniff(path: Path) -> bool:
    """A PSC snapshot: JSON whose first record has company_number and data.kind (or is the trailer)."""
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
        # a first record longer than the head: look for its keys
        kind = re.search(r'"kind"\s*:\s*"([^"]+)"', text)
        return '"company_number"' in text and '"data"' in text and kind is not None and kind.group(1) in KINDS
    if not isinstance(first, dict) or not isinstance(first.get("data"), dict):
        return False
    kind = first["data"].get("kind")
    return kind in KINDS and ("company_number" in first or kind == TOTALS)
