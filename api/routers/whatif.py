"""What if: a verdict as if some stakes or headquarters were different (never saved), and its flip points."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ownergraph.api.deps import StoreDep
from ownergraph.api.models import BuiltinName, ErrorBody, InterestType, PolicyDefinition
from ownergraph.api.routers.verdicts import adhoc_policy
from ownergraph.graph import whatif
from ownergraph.graph.flip import Flips, flips

router = APIRouter(prefix="/v1", tags=["what-if"])
ERRORS: dict[int | str, dict[str, Any]] = {409: {"model": ErrorBody}, 422: {"model": ErrorBody}}


class ShareBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: float
    max: float
    min_exclusive: bool = False
    max_exclusive: bool = False


class ChangeBody(BaseModel):
    """One hypothetical change. `set`, `add`: owner, owned, share; `remove`: owner, owned;
    `headquarters`: party, country."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["set", "remove", "add", "headquarters"]
    owner: str | None = Field(default=None, max_length=500, description="Any id of the holder")
    owned: str | None = Field(default=None, max_length=500, description="Any id of the party held")
    share: float | str | ShareBody | None = Field(
        default=None, description="Percent: 30, a range '>25..50' (CSV markers), or {min, max, min_exclusive, max_exclusive}")
    interest: InterestType | None = Field(default=None, description="set, remove: only the stakes of this interest type")
    party: str | None = Field(default=None, max_length=500, description="headquarters: the organisation")
    country: str | None = Field(default=None, max_length=10, description="headquarters: ISO 3166-1 alpha-2")


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party: str = Field(min_length=1, max_length=500, description="Any id of the party judged")
    policy: BuiltinName | PolicyDefinition = Field(default="cn-majority")
    as_of: date | None = None
    changes: list[ChangeBody] = Field(default=[], max_length=100)
    flips: bool = Field(default=False, description="Also the flip points of the verdict after the changes")


class WhatIfResponse(whatif.WhatIf):
    flips: Flips | None = None


def change_of(body: ChangeBody, i: int) -> whatif.Change:
    field = f"changes.{i}"

    def required(name: str, value: str | None) -> str:
        if value is None or not value.strip():
            raise whatif.ChangeError(f"{field}.{name}", f"required for {body.op}")
        return value.strip()

    if body.op == "headquarters":
        return whatif.Change("headquarters", owner=required("party", body.party),
                             country=whatif.country_code(required("country", body.country), f"{field}.country"),
                             field=field)
    owner, owned = required("owner", body.owner), required("owned", body.owned)
    if body.op == "remove":
        return whatif.Change("remove", owner, owned, interest=body.interest, field=field)
    if body.share is None:
        raise whatif.ChangeError(f"{field}.share", f"required for {body.op}")
    raw = body.share.model_dump() if isinstance(body.share, ShareBody) else body.share
    if body.op == "add" and body.interest not in (None, "shareholding"):
        raise whatif.ChangeError(f"{field}.interest", "an added stake is a shareholding")
    return whatif.Change(body.op, owner, owned, whatif.share_of(raw, f"{field}.share"), interest=body.interest,
                         field=field)


@router.post("/what-if", response_model=WhatIfResponse, responses=ERRORS)
def what_if(request: WhatIfRequest, store: StoreDep) -> WhatIfResponse:
    """The verdict before and after hypothetical changes to the graph as of a date, side by side, with both
    explanations; nothing is written. With `flips`, the smallest change to each proof edge that turns it."""
    policy = adhoc_policy(request.policy)
    day = request.as_of or date.today()
    changes = [change_of(c, i) for i, c in enumerate(request.changes)]
    compared, changed = whatif.in_store(store, request.party, changes, policy, day)
    answer = WhatIfResponse(**compared.model_dump())
    if request.flips:
        answer.flips = flips(changed, compared.before.entity.id, policy, day)
    return answer
