"""GLEIF records as parties and stakes: Level 1 (who is who), Level 2 (who owns whom), reporting exceptions.

Records arrive as GLEIF's JSON shapes them (from JSON, or folded from XML and CSV): element names as
keys, a repeated element as a list, text as strings (golden copy JSON's `{"$": text}` is read too).

- A Level 1 LEI record is a party: `LEI:<lei>` (and `GB-COH:<number>` when Companies House, RA000585,
  is the registration authority), the legal name, kind `fund` for EntityCategory FUND, `public-body` for
  government entities and international organisations, else `company`; jurisdiction = LegalJurisdiction,
  headquarters = HeadquartersAddress country; both addresses as text ("legal: ...", "headquarters: ...").
  Its `status` is set only when something is wrong with the entity or its LEI: the entity status when not
  ACTIVE, then the registration status when not ISSUED/PENDING_TRANSFER/PENDING_VALIDATION, joined by
  "/" (`LAPSED`, `RETIRED`, `INACTIVE/RETIRED`). Such parties are kept, marked.
- A Level 2 relationship (StartNode = child, EndNode = parent) is a stake parent -> child:
  IS_DIRECTLY_CONSOLIDATED_BY is a counted `consolidation`; IS_ULTIMATELY_CONSOLIDATED_BY is a
  `consolidation` that declares `ultimate-parent` and is not counted (it summarises the direct chain);
  IS_FUND-MANAGED_BY, IS_SUBFUND_OF and IS_FEEDER_TO are `fund-management` declaring `fund`, not counted;
  IS_INTERNATIONAL_BRANCH_OF is a counted `consolidation` of 100% (a branch is part of its head office).
  The share is the quantifier percentage when given (an accounting-consolidation percentage, exact),
  else unknown (0-100). Start and end come from the RELATIONSHIP_PERIOD; an INACTIVE or RETIRED
  relationship without an end date ends on its last update, and a record the golden copy deleted ends
  on its deletion date. ANNULLED and DUPLICATE relationships are rejected: GLEIF says they never held.
- A reporting exception is noted on its party as `CATEGORY:REASON`, e.g.
  `DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NON_PUBLIC`; graph/disclosure.py puts it in words.
"""

from __future__ import annotations

import re
from datetime import date

from ownergraph.graph import identifiers
from ownergraph.graph.model import PartyRecord, Provenance, RecordError, StakeRecord
from ownergraph.graph.share import Share
from ownergraph.loaders import values

LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
COMPANIES_HOUSE = "RA000585"

KINDS = {"FUND": "fund", "RESIDENT_GOVERNMENT_ENTITY": "public-body", "INTERNATIONAL_ORGANIZATION": "public-body"}
SOUND_REGISTRATION = {"ISSUED", "PENDING_TRANSFER", "PENDING_VALIDATION"}
SOUND_ENTITY = {"ACTIVE", "NULL"}

# relationship type -> (interest, counted, declares)
RELATIONSHIPS = {
    "IS_DIRECTLY_CONSOLIDATED_BY": ("consolidation", True, None),
    "IS_ULTIMATELY_CONSOLIDATED_BY": ("consolidation", False, "ultimate-parent"),
    "IS_FUND-MANAGED_BY": ("fund-management", False, "fund"),
    "IS_SUBFUND_OF": ("fund-management", False, "fund"),
    "IS_FEEDER_TO": ("fund-management", False, "fund"),
    "IS_INTERNATIONAL_BRANCH_OF": ("consolidation", True, None),
}
ENDED = {"INACTIVE", "RETIRED"}
NEVER_HELD = {"ANNULLED", "DUPLICATE"}

def text(value: object) -> str | None:
    """The text of a value: a string, golden copy JSON's {"$": text}, or the first of a list."""
    if value.__class__ is str:  # the common case first
        return value.strip() or None
    if isinstance(value, list):
        return text(value[0]) if value else None
    if isinstance(value, dict):
        return text(value.get("$"))
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def texts(value: object) -> list[str]:
    if isinstance(value, list):
        return [t for t in (text(v) for v in value) if t]
    one = text(value)
    return [one] if one else []


def section(record: dict, *path: str) -> dict:
    node: object
    if len(path) == 1:
        node = record.get(path[0]) if isinstance(record, dict) else None
        return node if isinstance(node, dict) else {}
    node = record
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def entries(container: object, tag: str) -> list[dict]:
    """The entries of a repeated element: JSON gives a list, XML a dict holding one or a list of `tag`."""
    if isinstance(container, dict):
        container = container.get(tag, [])
    if isinstance(container, dict):
        container = [container]
    return [e for e in container if isinstance(e, dict)] if isinstance(container, list) else []


def lei(value: object, field: str = "LEI") -> str:
    code = (text(value) or "").upper()
    if not code:
        raise RecordError(f"missing {field}")
    if not LEI.match(code):
        raise RecordError(f"bad {field}: {code!r} is not an LEI (20 letters and digits)")
    return code


def lei_id(code: str) -> str:
    return identifiers.make("LEI", code)


def record_id(record: dict) -> str | None:
    """The id a reject names: the LEI, or child, type and parent of a relationship."""
    relation = section(record, "Relationship")
    if relation:
        parts = [text(section(relation, "StartNode").get("NodeID")), text(relation.get("RelationshipType")),
                 text(section(relation, "EndNode").get("NodeID"))]
        return " ".join(p or "?" for p in parts)
    code = text(record.get("LEI"))
    category = text(record.get("ExceptionCategory"))
    return f"{code} {category}" if code and category else code


def deleted_on(record: dict) -> date | None:
    """The date the golden copy deleted a record (its Extension/Deletion), if it did."""
    return values.iso_date(text(section(record, "Extension", "Deletion").get("DeletedAt")), "DeletedAt")


def address(label: str, node: dict) -> str | None:
    if not node:
        return None
    first = text(node.get("FirstAddressLine")) or ""
    numbers = [n for n in (text(node.get("AddressNumber")), text(node.get("AddressNumberWithinBuilding")))
               if n and n not in first]
    parts = [text(node.get("MailRouting")), first, *numbers, *texts(node.get("AdditionalAddressLine")),
             text(node.get("City")), text(node.get("Region")), text(node.get("PostalCode")),
             text(node.get("Country"))]
    line = ", ".join(p for p in parts if p)
    return f"{label}: {line}" if line else None


def party_status(entity: dict, registration: dict) -> str | None:
    marks = []
    entity_status = (text(entity.get("EntityStatus")) or "").upper()
    if entity_status and entity_status not in SOUND_ENTITY:
        marks.append(entity_status)
    registration_status = (text(registration.get("RegistrationStatus")) or "").upper()
    if registration_status and registration_status not in SOUND_REGISTRATION:
        marks.append(registration_status)
    return "/".join(marks) or None


def party(record: dict, file: str) -> PartyRecord:
    """A Level 1 LEI record as a party."""
    code = lei(record.get("LEI"))
    entity = section(record, "Entity")
    registration = section(record, "Registration")
    ids = [lei_id(code)]
    authority = section(entity, "RegistrationAuthority")
    local_number = text(authority.get("RegistrationAuthorityEntityID"))
    if text(authority.get("RegistrationAuthorityID")) == COMPANIES_HOUSE and local_number:
        ids.append(identifiers.make("GB-COH", local_number))
    legal = section(entity, "LegalAddress")
    headquarters = section(entity, "HeadquartersAddress")
    return PartyRecord(
        identifiers=tuple(ids),
        provenance=Provenance(f"gleif-lei:{file}", code,
                              values.iso_date(text(registration.get("LastUpdateDate")), "LastUpdateDate")),
        name=text(entity.get("LegalName")),
        kind=KINDS.get((text(entity.get("EntityCategory")) or "").upper(), "company"),
        jurisdiction=values.jurisdiction(text(entity.get("LegalJurisdiction"))),
        headquarters=values.country(text(headquarters.get("Country")), "HeadquartersAddress country"),
        addresses=tuple(a for a in (address("legal", legal), address("headquarters", headquarters)) if a),
        status=party_status(entity, registration),
    )


def mentioned(code: str, file: str, source: str = "gleif-rr") -> PartyRecord:
    """A party a relationship or exception names, known only by its LEI until its Level 1 record loads."""
    return PartyRecord(identifiers=(lei_id(code),), provenance=Provenance(f"{source}:{file}", code),
                       kind="unknown")


def relationship_nodes(record: dict) -> tuple[str, str]:
    """(child LEI, parent LEI) of a relationship record."""
    relation = section(record, "Relationship")
    ends = []
    for end, role in (("StartNode", "child"), ("EndNode", "parent")):
        node = section(relation, end)
        id_type = (text(node.get("NodeIDType")) or "LEI").upper()
        if id_type != "LEI":
            raise RecordError(f"unsupported {role} node id type {id_type!r}: only LEI nodes are read")
        ends.append(lei(node.get("NodeID"), f"{role} LEI ({end})"))
    return ends[0], ends[1]


def stake(record: dict, file: str) -> StakeRecord:
    """A Level 2 relationship record as a stake of the parent in the child."""
    relation = section(record, "Relationship")
    registration = section(record, "Registration")
    child, parent = relationship_nodes(record)
    kind = (text(relation.get("RelationshipType")) or "").upper()
    if kind not in RELATIONSHIPS:
        raise RecordError(f"unknown relationship type {kind!r}")
    registration_status = (text(registration.get("RegistrationStatus")) or "").upper()
    if registration_status in NEVER_HELD:
        raise RecordError(f"relationship record {registration_status}: GLEIF says it never held, not loaded")
    interest, counted, declares = RELATIONSHIPS[kind]

    start = end = None
    for period in entries(relation.get("RelationshipPeriods"), "RelationshipPeriod"):
        if (text(period.get("PeriodType")) or "").upper() == "RELATIONSHIP_PERIOD":
            start = values.iso_date(text(period.get("StartDate")), "relationship start")
            end = values.iso_date(text(period.get("EndDate")), "relationship end")
            break
    updated = values.iso_date(text(registration.get("LastUpdateDate")), "LastUpdateDate")
    relationship_status = (text(relation.get("RelationshipStatus")) or "").upper()
    if end is None and (relationship_status in ENDED or registration_status in ENDED):
        end = updated
    deleted = deleted_on(record)
    if deleted is not None and end is None:
        end = deleted

    share = Share.exact(100) if kind == "IS_INTERNATIONAL_BRANCH_OF" else quantified_share(relation)
    return StakeRecord(
        owner=lei_id(parent), owned=lei_id(child),
        provenance=Provenance(f"gleif-rr:{file}", f"{child} {kind} {parent}", deleted or updated),
        interest=interest, share=share, start=start, end=end, counted=counted, declares=declares,
    )


def quantified_share(relation: dict) -> Share:
    for quantifier in entries(relation.get("RelationshipQuantifiers"), "RelationshipQuantifier"):
        units = (text(quantifier.get("QuantifierUnits")) or "PERCENTAGE").upper()
        amount = values.percent(text(quantifier.get("QuantifierAmount")), "QuantifierAmount")
        if units == "PERCENTAGE" and amount is not None:
            return Share.exact(amount[0])
    return Share.unknown()


def exception_party(record: dict, file: str) -> PartyRecord:
    """A reporting exception as what it says about its party; a deleted one says nothing more."""
    code = lei(record.get("LEI"))
    category = (text(record.get("ExceptionCategory")) or "").upper()
    reasons = [r.upper() for r in texts(record.get("ExceptionReason"))]
    if not category:
        raise RecordError("missing ExceptionCategory")
    if not reasons:
        raise RecordError("missing ExceptionReason")
    deleted = deleted_on(record)
    stated = deleted or values.iso_date(text(record.get("ContentDate")), "ContentDate")
    return PartyRecord(
        identifiers=(lei_id(code),),
        provenance=Provenance(f"gleif-repex:{file}", f"{code} {category}", stated),
        kind="unknown",
        reporting_exceptions=() if deleted else tuple(f"{category}:{reason}" for reason in reasons),
    )
