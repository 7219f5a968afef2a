"""BODS entity and person statements as parties (0.4 records and 0.2/0.3 statements alike).

A party's first identifier is `bods:<recordId>` (0.4) or `bods:<statementID>` (0.2/0.3); every
identifier with a scheme follows, normalised by `graph.identifiers` (XI-LEI -> LEI, GB-COH numbers
zero-padded), so the same company from GLEIF, UK PSC or another BODS file meets it. Identifiers with a
scheme name only (OpenCorporates URLs, register URLs) or without an id are not identifiers of the party
anywhere else and are left out; organisation schemes (LEI, GB-COH) are not taken from person statements.
"""

from __future__ import annotations

from ownergraph.graph import identifiers
from ownergraph.graph.model import PartyRecord, Provenance, RecordError
from ownergraph.loaders import bods_fields as f

ENTITY_KINDS = {
    "registeredEntity": "company",
    "legalEntity": "company",
    "arrangement": "arrangement",
    "anonymousEntity": "unknown",
    "unknownEntity": "unknown",
    "state": "state",
    "stateBody": "public-body",
}
# entityType.subtype codes and the types they may qualify (BODS 0.4 entitySubtype codelist)
SUBTYPES = {
    "governmentDepartment": ("stateBody",),
    "stateAgency": ("stateBody",),
    "other": tuple(ENTITY_KINDS),
    "trust": ("arrangement", "legalEntity"),
    "nomination": ("arrangement",),
}
PERSON_TYPES = ("knownPerson", "anonymousPerson", "unknownPerson")
ENTITY_ADDRESS_TYPES = ("registered", "business", "alternative")
PERSON_ADDRESS_TYPES = ("residence", "service", "alternative")
KEPT_ADDRESS_TYPES = ("registered", "business")
NAME_TYPES = ("legal", "translation", "transliteration", "former", "alternative", "birth")
ORGANISATION_SCHEMES = ("LEI", "GB-COH")
UNNAMED = {
    "anonymousEntity": "Anonymous entity", "unknownEntity": "Unknown entity",
    "anonymousPerson": "Anonymous person", "unknownPerson": "Unknown person",
}


def bods_id(value: str) -> str:
    return f"bods:{value}"


def entity(details: dict, own_ids: tuple[str, ...], provenance: Provenance, legacy: bool,
           status: str | None = None) -> PartyRecord:
    """An entity from 0.4 recordDetails or a 0.2/0.3 entityStatement."""
    path = "entityType" if legacy else "recordDetails.entityType"
    if legacy:
        entity_type = f.need_code(details, "entityType", path, ENTITY_KINDS)
        subtype = None
    else:
        kind_obj = f.need_mapping(details, "entityType", path)
        entity_type = f.need_code(kind_obj, "type", f"{path}.type", ENTITY_KINDS)
        subtype = f.code(kind_obj, "subtype", f"{path}.subtype", SUBTYPES)
        if subtype and entity_type not in SUBTYPES[subtype]:
            raise RecordError(f"entity subtype does not fit its type: {path}.subtype {subtype!r} "
                              f"with type {entity_type!r}")
    kind = "trust" if subtype == "trust" else ENTITY_KINDS[entity_type]
    base = "" if legacy else "recordDetails."
    jurisdiction_key = "incorporatedInJurisdiction" if "incorporatedInJurisdiction" in details else "jurisdiction"
    headquarters, addresses = _addresses(details, base, ENTITY_ADDRESS_TYPES if not legacy else None)
    reason = _unspecified_reason(details, "unspecifiedEntityDetails", base, legacy)
    dissolved = f.day(details, "dissolutionDate", f"{base}dissolutionDate", full=not legacy)
    return PartyRecord(
        identifiers=_identifiers(own_ids, details, base, person=False),
        provenance=provenance,
        name=f.text(details, "name", f"{base}name") or _unnamed(entity_type, reason),
        kind=kind,
        jurisdiction=f.jurisdiction(details.get(jurisdiction_key), f"{base}{jurisdiction_key}"),
        headquarters=headquarters,
        addresses=addresses,
        status=status or ("dissolved" if dissolved else None),
        reporting_exceptions=(reason,) if reason else (),
    )


def person(details: dict, own_ids: tuple[str, ...], provenance: Provenance, legacy: bool,
           status: str | None = None) -> PartyRecord:
    """A person from 0.4 recordDetails or a 0.2/0.3 personStatement."""
    base = "" if legacy else "recordDetails."
    person_type = f.need_code(details, "personType", f"{base}personType", PERSON_TYPES)
    reason = _unspecified_reason(details, "unspecifiedPersonDetails", base, legacy)
    nationalities = []
    for path, item in f.objects(details, "nationalities", f"{base}nationalities"):
        f.text(item, "name", f"{path}.name")
        code = f.country(item.get("code"), f"{path}.code")
        if code:
            nationalities.append(code)
    _addresses(details, base, PERSON_ADDRESS_TYPES if not legacy else None)
    return PartyRecord(
        identifiers=_identifiers(own_ids, details, base, person=True),
        provenance=provenance,
        name=_person_name(details, base, legacy) or _unnamed(person_type, reason),
        kind="person",
        nationalities=tuple(dict.fromkeys(nationalities)),
        status=status,
        reporting_exceptions=(reason,) if reason else (),
    )


def unspecified(reference: dict, party_id: str, provenance: Provenance, path: str, legacy: bool,
                role: str) -> PartyRecord:
    """The party behind an unspecified subject or interested party: kind unknown, with the reason given."""
    reason = f.text(reference, "reason", f"{path}.reason", required=not legacy)
    if reason and not legacy and reason not in f.UNSPECIFIED_REASONS:
        raise RecordError(f"not in its codelist: {path}.reason is {reason!r}")
    description = f.text(reference, "description", f"{path}.description")
    detail = description or reason or "no reason given"
    return PartyRecord(
        identifiers=(party_id,),
        provenance=provenance,
        name=f"Undisclosed {role} ({detail})",
        kind="unknown",
        reporting_exceptions=(reason,) if reason else (),
    )


def _identifiers(own_ids: tuple[str, ...], details: dict, base: str, person: bool) -> tuple[str, ...]:
    out = list(own_ids)
    for path, item in f.objects(details, "identifiers", f"{base}identifiers"):
        value = f.text(item, "id", f"{path}.id")
        scheme = f.text(item, "scheme", f"{path}.scheme")
        f.text(item, "schemeName", f"{path}.schemeName")
        if not scheme or not value:
            continue
        identifier = identifiers.make(scheme, value)
        if person and identifier.partition(":")[0] in ORGANISATION_SCHEMES:
            continue
        out.append(identifier)
    return tuple(dict.fromkeys(out))


def _addresses(details: dict, base: str, allowed: tuple[str, ...] | None) -> tuple[str | None, tuple[str, ...]]:
    """(headquarters: the country of the first business address, registered and business addresses)."""
    headquarters = None
    kept = []
    for path, item in f.objects(details, "addresses", f"{base}addresses"):
        kind = f.text(item, "type", f"{path}.type")
        if kind and allowed is not None and kind not in allowed:
            raise RecordError(f"address type not allowed here: {path}.type is {kind!r}")
        line = f.text(item, "address", f"{path}.address")
        post_code = f.text(item, "postCode", f"{path}.postCode")
        country = f.country(item.get("country"), f"{path}.country")
        if kind == "business" and country and headquarters is None:
            headquarters = country
        if kind in KEPT_ADDRESS_TYPES:
            post_code = post_code if post_code and post_code not in (line or "") else None
            parts = [p for p in (line, post_code, country) if p]
            if parts:
                kept.append(f"{kind}: {', '.join(parts)}")
    return headquarters, tuple(dict.fromkeys(kept))


def _person_name(details: dict, base: str, legacy: bool) -> str | None:
    best = None
    for path, item in f.objects(details, "names", f"{base}names"):
        if not legacy:
            f.code(item, "type", f"{path}.type", NAME_TYPES)
        kind = item.get("type")
        full = f.text(item, "fullName", f"{path}.fullName")
        parts = [f.text(item, key, f"{path}.{key}") for key in ("givenName", "patronymicName", "familyName")]
        name = full or " ".join(p for p in parts if p) or None
        if name and (best is None or kind in ("legal", "individual")):
            best = name
            if kind in ("legal", "individual"):
                break
    return best


def _unspecified_reason(details: dict, key: str, base: str, legacy: bool) -> str | None:
    found = f.mapping(details, key, f"{base}{key}")
    if found is None:
        return None
    reason = f.text(found, "reason", f"{base}{key}.reason", required=not legacy)
    if reason and not legacy and reason not in f.UNSPECIFIED_REASONS:
        raise RecordError(f"not in its codelist: {base}{key}.reason is {reason!r}")
    f.text(found, "description", f"{base}{key}.description")
    return reason


def _unnamed(type_code: str, reason: str | None) -> str | None:
    label = UNNAMED.get(type_code)
    if label is None:
        return None
    return f"{label} ({reason})" if reason else label

