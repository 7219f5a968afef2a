"""Party names made comparable: folded, tokenised, trailing legal forms dropped, scored with rapidfuzz.

"Nordlicht Investments S.à r.l." and "NORDLICHT INVESTMENTS SARL" both normalise to
"nordlicht investments". The same tokens build the Lucene query sent to the party_names fulltext index
(as a parameter value; Lucene's special characters are escaped).
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz
from rigour.names import replace_org_types_compare

# Letters NFKD does not decompose.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ı": "i", "þ": "th", "ð": "d"})

# Legal forms, dropped from the end of a name ("Co Ltd", "GmbH & Co KG").
LEGAL_FORMS = frozenset({
    "ab", "ag", "as", "asa", "bhd", "bv", "co", "company", "corp", "corporation", "cv", "eg", "ev", "gbr", "gmbh",
    "inc", "incorporated", "jsc", "kft", "kg", "kk", "limited", "llc", "llp", "lp", "ltd", "ltda", "nv", "oao",
    "ohg", "ooo", "oy", "oyj", "pjsc", "plc", "pte", "pty", "rl", "sa", "sab", "sae", "sarl", "sas", "sca", "se",
    "sl", "sp", "spa", "sprl", "srl", "sro", "uab", "ug", "zao",
})

_DOTTED = re.compile(r"(?<=\w)\.(?=\w)")
_TOKEN = re.compile(r"[^\W_]+")
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def fold(text: str) -> str:
    """Case-folded, accents removed."""
    lowered = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(c for c in lowered if not unicodedata.combining(c))


def tokens(text: str | None) -> list[str]:
    """The words of a name, folded; dotted abbreviations joined (B.V. -> bv, S.à r.l. -> sa rl)."""
    if not text:
        return []
    return _TOKEN.findall(fold(_DOTTED.sub("", text)))


def core_tokens(text: str | None) -> list[str]:
    """The tokens without trailing legal forms (all of them when the name is nothing but a legal form)."""
    words = tokens(text)
    end = len(words)
    while end > 1 and words[end - 1] in LEGAL_FORMS:
        end -= 1
    return words[:end]


def normalise(text: str | None) -> str:
    return " ".join(core_tokens(text))


def similarity(query: str, name: str | None) -> float:
    """How well a name answers a search, 0-100: a query that is part of the name still scores high."""
    a, b = normalise(query), normalise(name)
    if not a or not b:
        return 0.0
    return round(float(fuzz.WRatio(a, b)), 1)


def match_score(query: str, name: str | None) -> float:
    """How surely two names denote the same party, 0-100: word order is ignored, missing words count."""
    a, b = normalise(query), normalise(name)
    if not a or not b:
        return 0.0
    return round(float(fuzz.token_sort_ratio(a, b)), 1)


def form_agreement(query: str, name: str | None) -> int:
    """How far two names agree whole, legal forms included: 2 the same words, 1 the same words once legal
    forms are spelled alike ("Limited" and "Ltd", "Aktiengesellschaft" and "AG"), 0 otherwise.

    Scores ignore legal forms, so "Klassik Radio AG" and "Klassik Radio GmbH & Co. KG" tie for the query
    "Klassik Radio AG"; this breaks the tie.
    """
    a, b = tokens(query), tokens(name)
    if not a or not b:
        return 0
    if a == b:
        return 2
    return 1 if replace_org_types_compare(" ".join(a)) == replace_org_types_compare(" ".join(b)) else 0


def _escape(token: str) -> str:
    return _LUCENE_SPECIAL.sub(r"\\\1", token)


def lucene_query(text: str) -> str | None:
    """A Lucene query for the party_names index (standard analyzer), or None when the text has no words.

    Each word matches exactly (boosted), as a prefix and, from four letters on, with one edit; the
    accented spelling is tried too, since the index does not fold accents.
    """
    words = core_tokens(text)
    accented = [w for w in _TOKEN.findall(_DOTTED.sub("", text).casefold()) if fold(w) != w]
    clauses = []
    for word in dict.fromkeys(words + accented):
        w = _escape(word)
        clauses.append(f"{w}^3")
        clauses.append(f"{w}*")
        if len(word) >= 4:
            clauses.append(f"{w}~1")
    return " OR ".join(clauses[:60]) or None
