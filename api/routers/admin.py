"""Process and database health, for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ownergraph.api.deps import StoreDep
from ownergraph.api.errors import NotReady
from ownergraph.api.models import ErrorBody, Health, Readiness
from ownergraph.graph.store import SCHEMA_VERSION, StoreUnavailable

router = APIRouter(tags=["admin"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.head("/healthz", include_in_schema=False)
def healthz_head() -> Response:
    """The process answers (for probes that send HEAD)."""
    return Response(status_code=200)


@router.get("/readyz", response_model=Readiness, responses={503: {"model": ErrorBody}})
def readyz(store: StoreDep) -> Readiness:
    """Neo4j answers and its schema is the one this release expects."""
    if not store.ping():
        raise StoreUnavailable("Neo4j does not answer")
    version = store.schema_version()
    if version != SCHEMA_VERSION:
        raise NotReady(f"the database schema is version {version}, this release needs {SCHEMA_VERSION}; "
                       "run `ownergraph load` (or apply the schema) first")
    return Readiness(status="ready", schema_version=version)
