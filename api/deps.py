"""Shared dependencies of the routers, as Annotated aliases: the store, the settings, the common parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from ownergraph.api.errors import InvalidParameter, Unauthorized
from ownergraph.api.models import IsoDate
from ownergraph.graph.policy import DEFAULT_POLICY, Policy, builtin_names, builtin_policies
from ownergraph.graph.store import Store


async def get_store(request: Request) -> Store:
    """The app's store. Dependencies that neither block nor compute are `async def`: FastAPI runs a plain
    `def` dependency in its thread pool, a hand-off per dependency and request that costs more than the
    dependency itself."""
    return request.app.state.store


def builtin_policy(name: str) -> Policy:
    """A built-in policy by name, or InvalidParameter naming the built-ins."""
    known = builtin_policies()
    if name not in known:
        raise InvalidParameter("policy", f"no built-in policy named {name!r} (built-ins: {', '.join(sorted(known))})")
    return known[name]


async def named_policy(policy: Annotated[str, Query(max_length=100, description="A built-in policy name",
                                                    json_schema_extra={"enum": builtin_names()})]
                       = DEFAULT_POLICY) -> Policy:
    """A built-in policy by name; ad-hoc definitions go through POST /v1/verdicts."""
    return builtin_policy(policy)


# Declared in the OpenAPI document as the two ways to present a key; the check itself is require_key's.
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="An API key (ownergraph keys create), when the server requires keys")
BEARER = HTTPBearer(auto_error=False, scheme_name="Bearer", description="The same API key as a bearer token")


def require_key(request: Request, header_key: Annotated[str | None, Depends(API_KEY_HEADER)],
                bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> None:
    """When API keys are required, a valid key in `Authorization: Bearer ...` or `X-API-Key`."""
    ring = request.app.state.keyring
    if ring is None:
        return
    presented = header_key or (bearer.credentials if bearer else None)
    if ring.verify(presented) is None:
        raise Unauthorized("a valid API key is required (Authorization: Bearer <key> or X-API-Key)")


StoreDep = Annotated[Store, Depends(get_store)]
PolicyDep = Annotated[Policy, Depends(named_policy)]
AsOf = Annotated[IsoDate | None, Query(description="The date the verdict or interests hold on (ISO 8601); today by default")]
PartyId = Annotated[str, Path(min_length=1, max_length=500, description="Any id of the party: key, scheme:value, or value")]
Depth = Annotated[int, Query(ge=1, le=6, description="Levels to follow, 1 to 6")]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
