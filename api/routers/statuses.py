"""The statuses of many parties at once, for the page's graph: one verdict in short per party."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field, TypeAdapter

from ownergraph.api.deps import StoreDep, builtin_policy
from ownergraph.api.models import BuiltinName, ErrorBody, IsoDate
from ownergraph.graph import evaluate
from ownergraph.graph.errors import AmbiguousParty, OwnergraphError, UnknownParty
from ownergraph.graph.policy import DEFAULT_POLICY
from ownergraph.graph.verdict import ShareRange, Threshold

MAX_IDS = 200

router = APIRouter(prefix="/v1", tags=["verdicts"])

PartyIdItem = Annotated[str, Field(min_length=1, max_length=500)]


class StatusRequest(BaseModel):
    ids: list[PartyIdItem] = Field(min_length=1, max_length=MAX_IDS, description=f"Party ids, at most {MAX_IDS}")
    policy: BuiltinName = Field(default=DEFAULT_POLICY, description="A built-in policy name")
    as_of: IsoDate | None = Field(default=None, description="The date of the verdicts (ISO 8601); today by default")


class PartyStatus(BaseModel):
    id: str = Field(description="The id as asked")
    key: str | None = None
    name: str | None = None
    verdict: Literal["restricted", "clear", "indeterminate"] | None = Field(
        default=None, description="None when the id names no party or several (see `error`)")
    reason: Literal["seed", "ownership", "control"] | None = None
    restricted_share: ShareRange | None = None
    threshold: Threshold | None = None
    margin: float | None = None
    error: str | None = None


ANSWER = TypeAdapter(list[PartyStatus])


@router.post("/statuses", response_model=list[PartyStatus], responses={422: {"model": ErrorBody}})
def statuses(request: StatusRequest, store: StoreDep) -> Response:
    """Each party's verdict in short (no paths or explanation) under a built-in policy on a date, in the
    order asked: read from the policy's materialised closure when it is current, evaluated otherwise. An id
    that names no party, or several, has `verdict: null` and an `error`; the others are answered still."""
    policy = builtin_policy(request.policy)
    ids = list(dict.fromkeys(request.ids))
    answers = []
    # one statement for the materialised reads of every id; the others are evaluated one by one
    for party_id, v in evaluate.verdicts(store, ids, policy, request.as_of).items():
        if isinstance(v, (UnknownParty, AmbiguousParty)):
            answers.append(PartyStatus(id=party_id, error=str(v)))
        elif isinstance(v, OwnergraphError):
            raise v
        else:
            answers.append(PartyStatus(id=party_id, key=v.entity.id, name=v.entity.name, verdict=v.verdict,
                                       reason=v.reason, restricted_share=v.restricted_share,
                                       threshold=v.threshold, margin=v.margin))
    return Response(ANSWER.dump_json(answers), media_type="application/json")  # built here: not validated again
