"""Verdicts (SPEC.md §6), company control, and the policies a verdict can be asked under.

A verdict is answered as the JSON bytes of the `Verdict` the engine built (`verdict_response`): FastAPI would
otherwise validate the model again against `response_model` (in a second thread-pool hand-off, for a
`def` endpoint) before serialising it. The bytes are the ones FastAPI sent: the same pydantic serialiser.
`response_model` stays for the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from ownergraph.api.deps import AsOf, PartyId, PolicyDep, StoreDep
from ownergraph.api.errors import InvalidParameter
from ownergraph.api.models import Controller, ErrorBody, PolicyDefinition, PolicyInfo, VerdictRequest
from ownergraph.graph import evaluate
from ownergraph.graph.errors import PolicyError
from ownergraph.graph.policy import BUILTIN_DIR, Policy, builtin_policies, parse_policy
from ownergraph.graph.verdict import Verdict

router = APIRouter(prefix="/v1", tags=["verdicts"])
ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}}


def verdict_response(verdict: Verdict) -> Response:
    """The verdict as FastAPI would serialise it for `response_model=Verdict`, without validating it again."""
    return Response(verdict.model_dump_json(), media_type="application/json")


def adhoc_policy(body: str | PolicyDefinition) -> Policy:
    """A built-in by name, or a posted definition (whose `extends` the model limits to built-in names)."""
    if isinstance(body, str):
        return builtin_policies()[body]
    definition = body.model_dump(exclude_none=True)
    if "threshold" in definition:
        definition["threshold"] = str(definition["threshold"])
    try:
        return parse_policy(definition, BUILTIN_DIR)
    except PolicyError as exc:
        raise InvalidParameter("policy", str(exc)) from None


@router.get("/parties/{party_id:path}/verdict", response_model=Verdict, responses=ERRORS)
def party_verdict(party_id: PartyId, store: StoreDep, policy: PolicyDep, as_of: AsOf = None) -> Response:
    """Is the party restricted under a built-in policy on a date, and through which paths?"""
    return verdict_response(evaluate.verdict(store, party_id, policy, as_of))


@router.post("/verdicts", response_model=Verdict, responses=ERRORS)
def post_verdict(request: VerdictRequest, store: StoreDep) -> Response:
    """The verdict under a built-in policy or an ad-hoc definition (which may extend a built-in)."""
    return verdict_response(evaluate.verdict(store, request.party, adhoc_policy(request.policy), request.as_of))


@router.get("/parties/{party_id:path}/controllers", response_model=list[Controller], responses=ERRORS)
def party_controllers(party_id: PartyId, store: StoreDep, as_of: AsOf = None) -> list[dict[str, Any]]:
    """The parties that control the party (company control: more than 50% with the companies they
    control), nearest first, with their paths."""
    return evaluate.controllers(store, party_id, as_of)


@router.get("/policies", response_model=list[PolicyInfo])
def policies() -> list[PolicyInfo]:
    """The built-in policies with their definitions and hashes."""
    return [PolicyInfo(name=p.name, hash=p.hash(), description=p.description, threshold=p.describe_threshold(),
                       definition=p.definition()) for p in builtin_policies().values()]
