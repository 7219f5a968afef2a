"""Process and database health, for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ownergraph.api.deps import StoreDep
from ownergraph.api.errors import NotReady
from ownergraph.api.models import ErrorBody, Health, Readiness
from ownergraph.graph.store import SCHEMA_VERSION

router = APIRouter(tags=["admin"])


HEALTHY = Health(status="ok").model_dump_json().encode()


@router.get("/healthz", response_model=Health)
async def healthz() -> Response:
    """The process answers."""
    return Response(HEALTHY, media_type="application/json")


@router.head("/healthz", include_in_schema=False)
async def healthz_head() -> Response:
    """The process answers (for probes that send HEAD)."""
    return Response(status_code=200)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": ErrorBody}})
def readyz(store: StoreDep) -> Response:
    """Neo4j answers and its schema is the one this release expects: one statement, a read transaction (a
    database that cannot be reached fails it: 503 DatabaseUnavailable)."""
    rows = store.run("api/schema_version")
    version = rows[0]["version"] if rows else None
    if version != SCHEMA_VERSION:
        raise NotReady(f"the database schema is version {version}, this release needs {SCHEMA_VERSION}; "
                       "run `ownergraph load` (or apply the schema) first")
    return Response(Readiness(status="ready", schema_version=version).model_dump_json(), media_type="application/json")
