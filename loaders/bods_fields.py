"""Reading the fields of a BODS statement that ownergraph uses, checked on the way in.

A field the loader reads is checked for its JSON type and, where the standard closes it, its codelist or
range; a fault there makes the statement a Reject whose reason names the field (`interests[0].share`).
Fields the loader does not read (annotations, publication details, source, listings, political
exposure, birth dates) are not checked: lib-cove-bods is the validator for those.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ownergraph.graph.model import RecordError
from ownergraph.graph.share import HUNDRED, Share, ShareError, to_decimal
from ownergraph.loaders import values

# Interest types of BODS 0.2 (kebab-case), 0.3 and 0.4 (camelCase), keyed by their letters only, mapped to
# the types ownergraph stores (graph.model.INTEREST_TYPES). Board membership is not a right to appoint
# the board: boardMember and boardChair are kept as other-influence-or-control.
INTEREST_TYPES = {
    "shareholding": "shareholding",
    "votingrights": "voting-rights",
    "appointmentofboard": "appointment-of-board",
    "otherinfluenceorcontrol": "other-influence-or-control",
    "influenceorcontrol": "other-influence-or-control",
    "boardmember": "other-influence-or-control",
    "boardchair": "other-influence-or-control",
    "seniormanagingofficial": "senior-managing-official",
    "settlor": "settlor-of-trust",
    "settloroftrust": "settlor-of-trust",
    "trustee": "trustee-of-trust",
    "trusteeoftrust": "trustee-of-trust",
    "protector": "protector-of-trust",
    "protectoroftrust": "protector-of-trust",
    "beneficiaryoflegalarrangement": "beneficiary-of-trust",
    "beneficiaryoftrust": "beneficiary-of-trust",
    "otherinfluenceorcontroloftrust": "other-influence-or-control-of-trust",
    "rightstosurplusassetsondissolution": "rights-to-surplus-assets-on-dissolution",
    "rightstoprofitorincome": "rights-to-profit-or-income",
    "rightsgrantedbycontract": "rights-granted-by-contract",
    "conditionalrightsgrantedbycontract": "conditional-rights-granted-by-contract",
    "controlviacompanyrulesorarticles": "control-via-company-rules-or-articles",
    "controlbylegalframework": "control-by-legal-framework",
    "unknowninterest": "unknown-interest",
    "unpublishedinterest": "unpublished-interest",
    "enjoymentanduseofassets": "enjoyment-and-use",
    "righttoprofitorincomefromassets": "right-to-profit-or-income",
    "nominee": "nominee",
    "nominator": "nominator",
}

FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}($|T)")
DIRECT_OR_INDIRECT = ("direct", "indirect", "unknown")
UNSPECIFIED_REASONS = (
    "noBeneficialOwners", "subjectUnableToConfirmOrIdentifyBeneficialOwner",
    "interestedPartyHasNotProvidedInformation", "subjectExemptFromDisclosure",
    "interestedPartyExemptFromDisclosure", "unknown", "informationUnknownToPublisher",
)


def _kind_of(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def text(obj: dict, key: str, path: str, required: bool = False) -> str | None:
    """A string field; blank counts as absent."""
    value = obj.get(key)
    if value is None:
        if required:
            raise RecordError(f"missing field: {path}")
        return None
    if not isinstance(value, str):
        raise RecordError(f"wrong type: {path} is {_kind_of(value)}, not a string")
    value = value.strip()
    if not value and required:
        raise RecordError(f"missing field: {path}")
    return value or None


def mapping(obj: dict, key: str, path: str, required: bool = False) -> dict | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise RecordError(f"missing field: {path}")
        return None
    if not isinstance(value, dict):
        raise RecordError(f"wrong type: {path} is {_kind_of(value)}, not an object")
    return value


def array(obj: dict, key: str, path: str) -> list:
    """An array field (absent is empty)."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"wrong type: {path} is {_kind_of(value)}, not an array")
    return value


def objects(obj: dict, key: str, path: str) -> list[tuple[str, dict]]:
    """An array of objects, each with its path."""
    out = []
    for i, item in enumerate(array(obj, key, path)):
        if not isinstance(item, dict):
            raise RecordError(f"wrong type: {path}[{i}] is {_kind_of(item)}, not an object")
        out.append((f"{path}[{i}]", item))
    return out


def strings(obj: dict, key: str, path: str) -> tuple[str, ...]:
    out = []
    for i, item in enumerate(array(obj, key, path)):
        if not isinstance(item, str) or not item.strip():
            raise RecordError(f"wrong type: {path}[{i}] is {_kind_of(item)}, not a non-empty string")
        out.append(item.strip())
    return tuple(dict.fromkeys(out))


def code(obj: dict, key: str, path: str, allowed: tuple[str, ...] | dict, required: bool = False) -> str | None:
    value = text(obj, key, path, required)
    if value is not None and value not in allowed:
        raise RecordError(f"not in its codelist: {path} is {value!r}")
    return value


def day(obj: dict, key: str, path: str, full: bool, required: bool = False) -> date | None:
    """A date (or date-time, of which the date is kept). BODS 0.4 asks for full dates (`full`); 0.2/0.3
    data also has years and year-months, read as their first day."""
    value = text(obj, key, path, required)
    if value and full and not FULL_DATE.match(value):
        raise RecordError(f"bad {path}: {value!r} is not a full date (YYYY-MM-DD)")
    return values.iso_date(value, path) if value else None


def need_text(obj: dict, key: str, path: str) -> str:
    return _present(text(obj, key, path, required=True), path)


def need_mapping(obj: dict, key: str, path: str) -> dict:
    return _present(mapping(obj, key, path, required=True), path)


def need_code(obj: dict, key: str, path: str, allowed: tuple[str, ...] | dict) -> str:
    return _present(code(obj, key, path, allowed, required=True), path)


def need_day(obj: dict, key: str, path: str, full: bool) -> date:
    return _present(day(obj, key, path, full, required=True), path)


def _present(value, path: str):
    if value is None:
        raise RecordError(f"missing field: {path}")
    return value


def country(value: object, path: str) -> str | None:
    """A country: an ISO 3166-1 alpha-2 string (0.2/0.3 addresses) or a {name, code} object."""
    if value is None:
        return None
    if isinstance(value, dict):
        return values.country(text(value, "code", f"{path}.code"), f"{path}.code")
    if isinstance(value, str):
        return values.country(value, path)
    raise RecordError(f"wrong type: {path} is {_kind_of(value)}, not a country")


def jurisdiction(value: object, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RecordError(f"wrong type: {path} is {_kind_of(value)}, not an object")
    text(value, "name", f"{path}.name")
    return values.jurisdiction(text(value, "code", f"{path}.code"))


def interest_type(value: str | None, path: str) -> str:
    """The stored interest type of a BODS interest type; an interest that states none is unknown-interest."""
    if value is None:
        return "unknown-interest"
    stored = INTEREST_TYPES.get("".join(c for c in value.lower() if c.isalnum()))
    if stored is None:
        raise RecordError(f"unknown interest type: {value!r} at {path}")
    return stored


def _percent(share: dict, key: str, path: str) -> Decimal | None:
    value = share.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"wrong type: {path}.{key} is {_kind_of(value)}, not a number")
    number = to_decimal(value)
    if not (0 <= number <= HUNDRED):
        raise RecordError(f"share outside 0-100: {path}.{key} is {value}")
    return number


def _flag(share: dict, key: str, path: str) -> bool | None:
    value = share.get(key)
    if value is not None and not isinstance(value, bool):
        raise RecordError(f"wrong type: {path}.{key} is {_kind_of(value)}, not a boolean (BODS 0.2/0.3)")
    return value


def share(obj: dict, path: str, legacy: bool) -> Share:
    """A share from BODS `exact`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`.

    BODS 0.4 (`legacy` false): every bound given is taken as true and the share is their intersection,
    the exclusive bounds being numbers. BODS 0.2/0.3: the exclusive bounds are flags on `minimum` and
    `maximum`, and the maximum is exclusive unless `exclusiveMaximum` is false, as the standard says; a
    range whose minimum equals its maximum, or that restates an exact share, is that exact share.
    Bounds that leave no value (a minimum above the maximum, an exact value outside its range) reject
    the statement.
    """
    raw = mapping(obj, "share", path)
    if raw is None:
        return Share.unknown()
    exact = _percent(raw, "exact", path)
    minimum = _percent(raw, "minimum", path)
    maximum = _percent(raw, "maximum", path)
    lows: list[tuple[Decimal, bool]] = [(Decimal(0), False)]
    highs: list[tuple[Decimal, bool]] = [(HUNDRED, False)]
    if exact is not None:
        lows.append((exact, False))
        highs.append((exact, False))
    if legacy:
        min_open = _flag(raw, "exclusiveMinimum", path)
        max_open = _flag(raw, "exclusiveMaximum", path)
        point = exact is not None or (minimum is not None and minimum == maximum)
        if minimum is not None:
            lows.append((minimum, bool(min_open)))
        if maximum is not None:
            highs.append((maximum, bool(max_open) or (max_open is None and not point)))
    else:
        if minimum is not None:
            lows.append((minimum, False))
        if maximum is not None:
            highs.append((maximum, False))
        for key, side in (("exclusiveMinimum", lows), ("exclusiveMaximum", highs)):
            bound = _percent(raw, key, path)
            if bound is not None:
                side.append((bound, True))
    # the tightest bound on each side; at equal values the exclusive one is tighter
    lo, lo_open = max(lows, key=lambda b: (b[0], b[1]))
    hi, hi_open = min(highs, key=lambda b: (b[0], not b[1]))
    try:
        return Share(lo, hi, lo_open, hi_open)
    except ShareError:
        raise RecordError(f"contradictory share: no value meets all the bounds of {path} {raw}") from None
