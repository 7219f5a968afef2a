"""A party's details, owners and subsidiaries."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter

from ownergraph.api import relations
from ownergraph.api.deps import AsOf, Depth, Limit, Offset, PartyId, StoreDep
from ownergraph.api.models import ErrorBody, PartyDetails, RelatedPage, UltimateParents
from ownergraph.graph import consolidation

router = APIRouter(prefix="/v1/parties", tags=["parties"])
ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}}


def _page(store, party_id: str, direction: Literal["owners", "subsidiaries"], depth: int, as_of, limit: int,
          offset: int) -> RelatedPage:
    page = relations.related(store, party_id, direction, depth, as_of, limit, offset)
    return RelatedPage.model_validate(dict(party=page.party, direction=direction, as_of=as_of, depth=depth,
                                           total=page.total, limit=limit, offset=offset, truncated=page.truncated,
                                           items=page.items))


@router.get("/{party_id:path}/owners", response_model=RelatedPage, responses=ERRORS)
def owners(party_id: PartyId, store: StoreDep, as_of: AsOf = None, depth: Depth = 1, limit: Limit = 50,
           offset: Offset = 0) -> RelatedPage:
    """Who holds interests in the party, up to `depth` levels up (interests in force on `as_of` when given)."""
    return _page(store, party_id, "owners", depth, as_of, limit, offset)


@router.get("/{party_id:path}/subsidiaries", response_model=RelatedPage, responses=ERRORS)
def subsidiaries(party_id: PartyId, store: StoreDep, as_of: AsOf = None, depth: Depth = 1, limit: Limit = 50,
                 offset: Offset = 0) -> RelatedPage:
    """What the party holds interests in, up to `depth` levels down."""
    return _page(store, party_id, "subsidiaries", depth, as_of, limit, offset)


@router.get("/{party_id:path}", response_model=PartyDetails, responses=ERRORS)
def party(party_id: PartyId, store: StoreDep, as_of: AsOf = None) -> PartyDetails:
    """The party's facts, identifiers, lists, reporting exceptions and sources, and its GLEIF ultimate
    parents (computed from the direct consolidation chain in force on `as_of`, today by default, beside
    the declared ones)."""
    facts = relations.details(store, party_id)
    day = as_of or date.today()
    parents = consolidation.of_party(store, facts["id"], day)
    return PartyDetails(**facts, ultimate_parents=UltimateParents(as_of=day, **parents.public()))
