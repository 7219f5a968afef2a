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
