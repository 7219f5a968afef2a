"""Identifiers as `SCHEME:value`, normalised so every source names the same party the same way.

One party per identifier: a GLEIF record, a BODS statement and a CSV row that give the same LEI meet in
one node. Schemes follow org-id.guide where one exists (GB-COH), with short aliases for the common ones.
"""

from __future__ import annotations

import re

# scheme spellings seen in sources -> the scheme ownergraph stores
SCHEME_ALIASES = {
    "xi-lei": "LEI",
    "lei": "LEI",
    "gb-coh": "GB-COH",
    "gb-psc": "GB-PSC",
    "csv": "csv",
    "bods": "bods",
    "ftm": "ftm",
}

GB_COMPANY_NUMBER = re.compile(r"^([A-Z]{2})?(\d{1,8})$")


def normalise_scheme(scheme: str) -> str:
    return SCHEME_ALIASES.get(scheme.strip().lower(), scheme.strip())


def gb_company_number(value: str) -> str:
    """Companies House numbers: upper case, no spaces, digits zero-padded to eight characters."""
    text = re.sub(r"\s+", "", value).upper()
    match = GB_COMPANY_NUMBER.match(text)
    if not match:
        return text
    prefix, digits = match.group(1) or "", match.group(2)
    return prefix + digits.zfill(8 - len(prefix))


def make(scheme: str, value: str) -> str:
    """`SCHEME:value` with the scheme and (where known) the value normalised."""
    s = normalise_scheme(scheme)
    v = value.strip()
    if s == "LEI":
        v = v.upper()
    elif s == "GB-COH":
        v = gb_company_number(v)
    return f"{s}:{v}"


def lookup_forms(text: str) -> list[str]:
    """The spellings to try, in order, for an id a user typed: as typed, then as a loader stores it.

    A known scheme is read in any case and its value normalised as at load (`lei:5493...` is
    `LEI:5493...`, `gb-coh:1234567` is `GB-COH:01234567`); a bare value is tried as an LEI and as a
    Companies House number, normalised so. Other ids (CSV ids, BODS recordIds, party keys, values of other
    schemes) match exactly as typed.
    """
    value = text.strip()
    if not value:
        return []
    forms = [value]
    scheme, sep, rest = value.partition(":")
    if sep and scheme.strip() and rest.strip():
        forms.append(make(scheme, rest))
    elif not sep:
        forms += [make("LEI", value), make("GB-COH", value)]
    return list(dict.fromkeys(forms))
