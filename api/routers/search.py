"""Finding parties by name or identifier."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ownergraph.api.deps import Limit, StoreDep
from ownergraph.api.models import SearchHit, SearchResults
from ownergraph.screening import lookup

router = APIRouter(prefix="/v1", tags=["search"])


@router.get("/search", response_model=SearchResults)
def search(q: Annotated[str, Query(min_length=1, max_length=200, description="A name or an identifier")],
           store: StoreDep, limit: Limit = 20) -> SearchResults:
    """Parties whose identifier is `q` first, then parties whose normalised name is closest to it."""
    hits = lookup.search(store, q, limit)
    return SearchResults(query=q, results=[SearchHit(**h.public()) for h in hits])
