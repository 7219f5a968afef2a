"""The shapes of API requests and answers (the verdict itself is graph.verdict.Verdict, SPEC.md §6)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ownergraph.graph.model import INTEREST_TYPES
from ownergraph.graph.policy import builtin_names
from ownergraph.graph.verdict import ControlPath, PartyRef, ShareRange, SourceRef, Verdict

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: Any) -> Any:
    """Dates are ISO 8601 calendar dates (2024-05-31): not timestamps, not other spellings."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("expected an ISO 8601 date, YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(iso_date)]


class ErrorField(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a name, a sentence, and what the client needs to act on it."""

    error: str
    message: str
    id: str | None = None
    candidates: list[dict] | None = None
    fields: list[ErrorField] | None = None


class Identifier(BaseModel):
    id: str
    scheme: str | None = None
    value: str | None = None


class Listing(BaseModel):
    name: str
    start: date | None = None
    end: date | None = None
    source: str | None = None


class UltimateParent(BaseModel):
    id: str
    name: str | None = None
    lei: str | None = None
    levels: int | None = Field(default=None, description="Computed: direct consolidation steps up to it")
    chain: list[str] = Field(default=[], description="Computed: party keys from the party up to it")
    records: list[str] = Field(default=[], description="Declared: the GLEIF records that declare it")


class UltimateParents(BaseModel):
    as_of: date
    computed: list[UltimateParent] = []
    declared: list[UltimateParent] = []
    agree: bool


class PartyDetails(BaseModel):
    id: str
    name: str | None = None
    kind: str | None = None
    jurisdiction: str | None = None
    headquarters: str | None = None
    country: str | None = None
    status: str | None = None
    nationalities: list[str] = []
    addresses: list[str] = []
    reporting_exceptions: list[str] = []
    sources: list[str] = []
    identifiers: list[Identifier] = []
    lists: list[Listing] = []
    owner_count: int = 0
    subsidiary_count: int = 0
    ultimate_parents: UltimateParents | None = Field(
        default=None, description="GLEIF ultimate consolidation parents: computed from the direct chain, and declared")


class PartySummary(BaseModel):
    id: str
    name: str | None = None
    kind: str | None = None
    country: str | None = None
    lists: list[str] = []


class SourceRecord(SourceRef):
    """A source record of an interest, with the values it stated (the interest carries the latest's)."""

    statement_date: date | None = None
    url: str | None = None
    share: ShareRange | None = None
    start: date | None = None
    end: date | None = None


class Interest(BaseModel):
    owner: str
    owned: str
    interest: str
    share: ShareRange
    start: date | None = None
    end: date | None = None
    counted: bool = True
    declares: str | None = None
    sources: list[SourceRecord] = []


class Related(BaseModel):
    party: PartySummary
    depth: int
    edges: list[Interest]


class RelatedPage(BaseModel):
    party: PartySummary
    direction: Literal["owners", "subsidiaries"]
    as_of: date | None
    depth: int
    total: int
    limit: int
    offset: int
    truncated: bool = Field(description="True when the limits on parties or interests read cut the list short")
    items: list[Related]


class SearchHit(BaseModel):
    id: str
    name: str | None = None
    kind: str | None = None
    country: str | None = None
    lists: list[str] = []
    score: float
    matched: Literal["identifier", "name"]
    identifier: str | None = None


class SearchResults(BaseModel):
    query: str
    results: list[SearchHit]


class PolicyInfo(BaseModel):
    name: str
    hash: str
    description: str = ""
    threshold: str
    definition: dict[str, Any]


if TYPE_CHECKING:  # the names are read from the policy files at import, which a checker cannot see
    BuiltinName = str
    InterestType = str
else:
    BuiltinName = Literal[tuple(builtin_names())]
    InterestType = Literal[INTEREST_TYPES]


class SeedRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    headquarters: list[str] = Field(default=[], description="Organisations by country (ISO 3166-1 alpha-2)")
    nationalities: list[str] = Field(default=[], description="Persons by nationality (ISO 3166-1 alpha-2)")
    lists: list[str] = Field(default=[], description="Any party on one of these named lists")


class PolicyDefinition(BaseModel):
    """An ad-hoc policy (SPEC.md §4): a new one, or a built-in extended. It is checked as a policy file is."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    extends: BuiltinName | None = None
    description: str = Field(default="", max_length=2000)
    restricted: SeedRules | None = None
    threshold: float | None = Field(default=None, ge=0, le=100, description="Percent; required unless extended")
    inclusive: bool | None = Field(default=None, description="Whether the threshold itself counts; required unless extended")
    method: Literal["aggregate", "integrated"] | None = None
    measured: list[InterestType] | None = None
    control: list[InterestType] | None = None


class VerdictRequest(BaseModel):
    """A verdict on a party under a built-in policy (by name) or an ad-hoc policy definition."""

    model_config = ConfigDict(extra="forbid")

    party: str = Field(min_length=1, max_length=500, description="Any id of the party (key, scheme:value, value)")
    policy: BuiltinName | PolicyDefinition = Field(default="cn-majority",
                                                   description="A built-in policy name, or a policy definition")
    as_of: date | None = None


class Controller(BaseModel):
    """A party that controls another (company control), with the paths that prove it."""

    party: PartyRef
    distance: int = Field(description="Edges on the shortest ownership path to the party")
    status: Literal["controls", "may control"]
    paths: list[ControlPath]


class ScreenRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ref: str | None = Field(default=None, max_length=500)
    id: str | None = Field(default=None, max_length=500)
    name: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, max_length=10)


class Candidate(BaseModel):
    id: str
    name: str | None = None
    country: str | None = None
    score: float


class ScreenResult(BaseModel):
    input: ScreenRow
    match: Literal["identifier", "name", "ambiguous", "none"]
    score: float
    party: Candidate | None = None
    candidates: list[Candidate] = []
    verdict: Verdict | None = None
    error: str | None = None


class ScreenResponse(BaseModel):
    policy: str
    policy_hash: str
    as_of: date
    min_score: float
    results: list[ScreenResult]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    schema_version: int
