"""Reporting exceptions in words: why a party's owner is not reported.

A party carries its exceptions as codes: GLEIF Level 2 `CATEGORY:REASON`
(`DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NON_PUBLIC`), UK PSC `KIND:value`
(`PSC_SUPER_SECURE:super-secure-persons-with-significant-control`), BODS reasons
(`subjectExemptFromDisclosure`). Explanations say them as words, because an owner that is not
disclosed cannot be checked.
"""

from __future__ import annotations

import re

CATEGORY_WORDS = {
    "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT": "the direct parent",
    "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT": "the ultimate parent",
}
REASON_WORDS = {
    "NON_PUBLIC": "is not disclosed",
    "NATURAL_PERSONS": "is one or more natural persons",
    "NO_KNOWN_PERSON": "is not known: no person controls the entity",
    "NON_CONSOLIDATING": "does not consolidate the entity in its accounts",
    "NO_LEI": "has no LEI",
}


def describe_exception(code: str) -> str:
    """`DIRECT_ACCOUNTING_CONSOLIDATION_PARENT:NON_PUBLIC` -> "the direct parent is not disclosed (NON_PUBLIC)"."""
    category, _, reason = code.partition(":")
    if category not in CATEGORY_WORDS and reason not in REASON_WORDS:
        # PSC `KIND:value-with-dashes` and BODS `camelCaseReason`: the words, then the code
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", reason or category).replace("-", " ").replace("_", " ")
        return f"{words.lower()} ({code})"
    who = CATEGORY_WORDS.get(category, category.lower().replace("_", " ") or "the parent")
    what = REASON_WORDS.get(reason, "is not reported")
    return f"{who} {what} ({reason or 'no reason given'})"
