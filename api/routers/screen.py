"""Screening a list of counterparties: a JSON list, a CSV body or a CSV file upload; JSON or CSV back."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from ownergraph.api.deps import AsOf, PolicyDep, StoreDep
from ownergraph.api.errors import InvalidParameter
from ownergraph.api.models import ErrorBody, ScreenResponse, ScreenRow
from ownergraph.graph import evaluate
from ownergraph.graph.errors import OwnergraphError
from ownergraph.screening import csv_rows
from ownergraph.screening import rows as screening

router = APIRouter(prefix="/v1", tags=["screening"])
ROWS = TypeAdapter(list[ScreenRow])
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "array", "maxItems": 1000,
                                            "items": {"$ref": "#/components/schemas/ScreenRow"}}},
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                               "properties": {"file": {"type": "string", "format": "binary"}}}},
        },
    }
}


async def _rows(request: Request, max_rows: int) -> list[screening.Row]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=10, max_part_size=request.app.state.options.max_body_bytes)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidParameter("file", "upload the CSV file in a form field named file")
        return _csv(await upload.read(), max_rows)
    body = await request.body()
    if kind in ("text/csv", "text/plain", "application/csv"):
        return _csv(body, max_rows)
    if kind not in ("application/json", ""):
        raise InvalidParameter("body", f"send a JSON list, a CSV body (text/csv) or a CSV file upload, not {kind}")
    try:
        rows = ROWS.validate_json(body or b"null")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidParameter(f"body.{where}" if where != "body" else "body", first["msg"]) from None
    if len(rows) > max_rows:
        raise InvalidParameter("body", f"at most {max_rows} rows per request")
    return [screening.Row(**row.model_dump()) for row in rows]


def _csv(data: bytes, max_rows: int) -> list[screening.Row]:
    try:
        return csv_rows.read_csv(data.decode("utf-8"), max_rows)
    except UnicodeDecodeError:
        raise InvalidParameter("file", "the CSV is not UTF-8") from None
    except OverflowError:
        raise InvalidParameter("file", f"at most {max_rows} rows per request") from None
    except ValueError as exc:
        raise InvalidParameter("file", str(exc)) from None


@router.post("/screen", response_model=ScreenResponse, openapi_extra=BODY,
             responses={200: {"content": {"text/csv": {}}}, 413: {"model": ErrorBody}, 422: {"model": ErrorBody}})
async def screen(request: Request, store: StoreDep, policy: PolicyDep, as_of: AsOf = None,
                 min_score: Annotated[float, Query(ge=0, le=100, description="Least name score taken as a match")]
                 = screening.MIN_SCORE,
                 format: Annotated[Literal["json", "csv"] | None, Query(description="Overrides Accept")] = None,
                 ) -> Response:
    """Match each row (identifier first, then name) and give the matched party's verdict."""
    rows = await _rows(request, request.app.state.options.max_screen_rows)
    day = as_of or date.today()

    def verdicts_of(keys: list[str]) -> dict[str, dict | OwnergraphError]:
        return {k: v if isinstance(v, OwnergraphError) else v.model_dump(mode="json")
                for k, v in evaluate.verdicts(store, keys, policy, day).items()}

    results = await run_in_threadpool(screening.screen, store, rows, None, min_score, verdicts_of)
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        text = csv_rows.write_csv(results, policy.name, policy.hash(), day)
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="screening.csv"'})
    answer = ScreenResponse.model_validate(dict(policy=policy.name, policy_hash=policy.hash(), as_of=day,
                                                min_score=min_score, results=results))
    return JSONResponse(answer.model_dump(mode="json"))
