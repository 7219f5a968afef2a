"""The interests of a BODS relationship (0.4) or ownership-or-control statement (0.2/0.3) as stakes.

Each interest is one stake of the interested party (owner) in the subject (owned). A relationship that
lists component records (`componentRecords`, 0.2/0.3 `componentStatementIDs`) declares an indirect
interest that its components spell out: its indirect interests are stored with `counted=False`,
`declares="indirect"` and the component ids, so they are shown and never added on top of the
components, which are counted as any other stake. A direct interest in such a relationship is a holding
of its own and is counted. A relationship that states no interest is kept as one stake of type
`unknown-interest` with an undisclosed share, so the link (and an undisclosed owner) stays visible.
An interest whose `details` carry a GLEIF relationship type or exception category (BODS made from GLEIF)
is read as the GLEIF loader reads that relationship: `consolidation`, the ultimate parent a declaration.
"""

from __future__ import annotations

from ownergraph.graph.model import Provenance, RecordError, StakeRecord
from ownergraph.graph.share import Share
from ownergraph.loaders import bods_fields as f
from ownergraph.loaders.gleif_records import RELATIONSHIPS

# GLEIF reporting exceptions that BODS publishes as an interest of an unspecified party
EXCEPTION_CATEGORIES = {
    "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT": RELATIONSHIPS["IS_DIRECTLY_CONSOLIDATED_BY"],
    "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT": RELATIONSHIPS["IS_ULTIMATELY_CONSOLIDATED_BY"],
}


def stakes(details: dict, owner: str, owned: str, provenance: Provenance, legacy: bool,
           components: tuple[str, ...], base: str) -> list[StakeRecord]:
    interests = f.objects(details, "interests", f"{base}interests")
    declared = bool(components)
    if not interests:
        return [_stake(owner, owned, provenance, "unknown-interest", Share.unknown(), None, None,
                       not declared, "indirect", components, f"{base}interests")]
    out = []
    for path, item in interests:
        interest = f.interest_type(f.text(item, "type", f"{path}.type"), f"{path}.type")
        level_key = "interestLevel" if "interestLevel" in item else "directOrIndirect"
        level = f.code(item, level_key, f"{path}.{level_key}", f.DIRECT_OR_INDIRECT)
        share = f.share(item, f"{path}.share", legacy)
        start = f.day(item, "startDate", f"{path}.startDate", full=not legacy)
        end = f.day(item, "endDate", f"{path}.endDate", full=not legacy)
        counted: bool = not (declared and level != "direct")
        declares: str | None = "indirect"
        gleif = _gleif_relationship(item)
        if gleif is not None:
            interest, counted, declares = gleif
        out.append(_stake(owner, owned, provenance, interest, share, start, end, counted, declares,
                          components, path))
    return out


def _gleif_relationship(item: dict) -> tuple[str, bool, str | None] | None:
    """(interest, counted, declares) of an interest that BODS made from a GLEIF relationship or exception.

    GLEIF's relationships reach BODS as `otherInfluenceOrControl` with the GLEIF type in `details`; they
    are read as the GLEIF loader reads them, so the same stake from GLEIF and from its BODS form is one.
    """
    details = item.get("details")
    if not isinstance(details, str):
        return None
    label, _, value = details.partition(":")
    value = value.strip().split(".")[0].strip().upper()
    if label.strip() == "Relationship Type":
        return RELATIONSHIPS.get(value)
    if label.strip() == "Exception Category":
        return EXCEPTION_CATEGORIES.get(value)
    return None


def _stake(owner: str, owned: str, provenance: Provenance, interest: str, share: Share, start, end,
           counted: bool, declares: str | None, components: tuple[str, ...], path: str) -> StakeRecord:
    try:
        return StakeRecord(owner=owner, owned=owned, provenance=provenance, interest=interest, share=share,
                           start=start, end=end, counted=counted, declares=None if counted else declares,
                           components=() if counted or declares != "indirect" else components)
    except RecordError as exc:
        raise RecordError(f"{exc} (at {path})") from None
