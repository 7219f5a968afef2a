"""Which named lists an OpenSanctions entity is on, from its `datasets` and `topics`, as data.

OpenSanctions puts in a dataset both the parties the source lists and the parties it only mentions
(owners, relatives, linked companies). Only the first carry the dataset's listing topic: `sanction`
for a sanctions list, `export.control` or `debarment` for export restrictions. So an entity is on a
list when one of its datasets is in `DATASET_LISTS` and it has one of that row's topics.

`sanction.linked` (linked to a sanctioned party, e.g. owned by one) and `sanction.counter` (a
counter-sanction) put no one on a list: an entity owned by an SDN is what the ownership computation
finds, and listing it would make it a seed by assertion. Datasets not in the table put no one on a
list either.

The US Consolidated Screening List (`us_trade_csl`) merges several lists: OFAC's (whose entries
OpenSanctions merges with `us_ofac_sdn`), BIS's Entity List, Military End-User List, Denied Persons
List and Unverified List, and the State Department's. Which one an entry is on is said by the
`authority` of its Sanction entity; `AUTHORITY_LISTS` maps those words to lists. So an entry of the
merged dataset is on the dataset's own list (`us-csl`, which no built-in policy uses) and, when its
Sanction entity is in the file, on the list that entity's authority names (`bis-entity-list` for
"Entity List (EL) - Bureau of Industry and Security"). The Denied Persons List is not the Entity List:
it is `bis-denied-persons`.

List names are those the policies use (SPEC.md §4): `ofac-sdn`, `bis-entity-list`, `bis-meu`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SANCTION = frozenset({"sanction"})
EXPORT = frozenset({"sanction", "export.control", "debarment"})

# dataset -> (list, the topics that mean "listed")
DATASET_LISTS: dict[str, tuple[str, frozenset[str]]] = {
    "us_ofac_sdn": ("ofac-sdn", SANCTION),
    "us_ofac_cons": ("ofac-non-sdn", SANCTION),
    "us_bis_denied": ("bis-denied-persons", EXPORT),
    "us_trade_csl": ("us-csl", EXPORT),
    "gb_hmt_sanctions": ("uk-sanctions", SANCTION),
    "gb_fcdo_sanctions": ("uk-sanctions", SANCTION),
    "eu_fsf": ("eu-sanctions", SANCTION),
    "eu_journal_sanctions": ("eu-sanctions", SANCTION),
    "un_sc_sanctions": ("un-sanctions", SANCTION),
    "ch_seco_sanctions": ("ch-seco", SANCTION),
}

# words of a Sanction's authority (or program) -> list, first match wins
AUTHORITY_LISTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bentity list\b", re.I), "bis-entity-list"),
    (re.compile(r"military end[- ]?user", re.I), "bis-meu"),
    (re.compile(r"denied persons", re.I), "bis-denied-persons"),
    (re.compile(r"unverified list", re.I), "bis-unverified"),
    (re.compile(r"specially designated nationals", re.I), "ofac-sdn"),
)


def lists_of(datasets: Iterable[str], topics: Iterable[str]) -> tuple[str, ...]:
    """The lists an entity is on by its datasets and topics (a merged dataset gives its own list)."""
    held = set(topics)
    out = []
    for dataset in datasets:
        row = DATASET_LISTS.get(dataset)
        if row and held & row[1]:
            out.append(row[0])
    return tuple(dict.fromkeys(out))


def authority_list(texts: Iterable[str]) -> str | None:
    """The list a Sanction entity's authority or program names, if it is one the table knows."""
    for text in texts:
        for pattern, name in AUTHORITY_LISTS:
            if pattern.search(text):
                return name
    return None
