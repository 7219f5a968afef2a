"""The application: `create_app(settings)` builds it, `serve(settings)` runs it (`ownergraph serve`).

The lifespan opens the Neo4j store and closes it on shutdown; tests hand in a store of their own.
Middleware caps request bodies and adds the page's security headers; every error, domain or HTTP, is
mapped once here to a JSON body (api.models.ErrorBody) and never carries a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from neo4j.exceptions import AuthError, DatabaseUnavailable, ServiceUnavailable, SessionExpired, TransientError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ownergraph.api.deps import require_key
from ownergraph.api.errors import PayloadTooLarge
from ownergraph.api.keys import KeyRing
from ownergraph.api.models import ErrorBody
from ownergraph.api.routers import admin, lists, parties, refresh, screen, search, statuses, verdicts, whatif
from ownergraph.graph.cone import ConeTooLarge
from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.store import Store, StoreUnavailable, connect
from ownergraph.settings import Settings

log = logging.getLogger("ownergraph.api")
STATIC = Path(__file__).parent / "static"
RETRY_AFTER = "5"  # seconds, on 503 answers
# A worker process runs its `def` endpoints in at most THREADS threads (anyio's default pool, made explicit),
# each holding at most one Neo4j connection at a time, so its driver pool is sized to them: N workers open
# at most N * THREADS connections, within the 400 Bolt threads of a Neo4j with default settings up to N = 10.
THREADS = 40
UNAVAILABLE = (StoreUnavailable, ServiceUnavailable, SessionExpired, DatabaseUnavailable, TransientError, AuthError)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy",
     (b"default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
      b"script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")),
]


@dataclass(frozen=True)
class ApiOptions:
    """The API's own settings (OWNERGRAPH_API_KEYS_REQUIRED, OWNERGRAPH_API_MAX_BODY_BYTES, ...), read from
    Settings, which holds their defaults."""

    keys_required: bool
    max_body_bytes: int
    max_screen_rows: int

    @classmethod
    def of(cls, settings: Settings) -> ApiOptions:
        return cls(keys_required=settings.api_keys_required, max_body_bytes=settings.api_max_body_bytes,
                   max_screen_rows=settings.api_max_screen_rows)


class BodyLimit:
    """Refuses request bodies over `limit` bytes with 413, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise PayloadTooLarge(f"the request body is larger than {self.limit} bytes")
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = PayloadTooLarge(f"the request body is larger than {self.limit} bytes")
        await JSONResponse(error.detail(), status_code=error.status)(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def _field(loc: tuple) -> str:
    """A validation error's field as a client names it: `as_of`, `policy.threshold` (union branches left out)."""
    parts = [str(p) for p in loc if p not in ("query", "path", "body", "header")]
    parts = [p for p in parts if not ("[" in p or p[:1].isupper())]
    return ".".join(parts) or str(loc[0] if loc else "request")


def _error_field(error: dict) -> dict:
    """{field, message} of one validation error; a body that is not JSON names the body and where it broke
    (its loc holds the character offset, which is no field)."""
    if error.get("type") == "json_invalid":
        loc = tuple(error.get("loc", ()))
        at = f" at character {loc[1]}" if len(loc) > 1 and isinstance(loc[1], int) else ""
        reason = (error.get("ctx") or {}).get("error") or error.get("msg", "invalid")
        return {"field": "body", "message": f"not valid JSON{at}: {reason}"}
    return {"field": _field(tuple(error.get("loc", ()))), "message": error.get("msg", "invalid")}


def install_error_handlers(app: FastAPI) -> None:
    def answer(status: int, body: dict) -> JSONResponse:
        headers = {"Retry-After": RETRY_AFTER} if status == 503 else None
        if status == 401:
            headers = {"WWW-Authenticate": 'Bearer realm="ownergraph"'}
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(OwnergraphError)
    async def domain_error(request: Request, exc: OwnergraphError) -> JSONResponse:
        return answer(exc.status, exc.detail())

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [_error_field(e) for e in exc.errors()]
        fields = list({f["field"]: f for f in reversed(fields)}.values())[::-1]  # one message per field
        names = [f["field"] for f in fields]  # a union's branch that got further names the field better
        fields = [f for f in fields if not any(n.startswith(f["field"] + ".") for n in names)]
        message = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        return answer(422, {"error": "InvalidParameter", "message": message, "fields": fields})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, OwnergraphError):  # raised while the body was read (too large)
            return answer(exc.__cause__.status, exc.__cause__.detail())
        if exc.status_code == 400:  # a body that is not valid JSON
            return answer(422, {"error": "InvalidParameter", "message": f"body: {exc.detail}",
                                "fields": [{"field": "body", "message": str(exc.detail)}]})
        name = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
        return JSONResponse({"error": name, "message": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("Neo4j unavailable: %s", exc)
        return answer(503, {"error": "DatabaseUnavailable",
                            "message": "the graph database cannot be reached; try again shortly"})

    for kind in UNAVAILABLE:
        app.add_exception_handler(kind, unavailable)

    @app.exception_handler(ConeTooLarge)
    async def too_large(request: Request, exc: ConeTooLarge) -> JSONResponse:
        return answer(500, {"error": "ConeTooLarge", "message": str(exc)})

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return answer(500, {"error": "InternalError", "message": "an internal error occurred; it has been logged"})


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The API and the page. With `store` given, the app uses it and leaves closing it to the caller."""
    options = ApiOptions.of(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        app.state.store = store or connect(settings, pool_size=THREADS)
        try:
            yield
        finally:
            if store is None:
                app.state.store.close()

    app = FastAPI(title="ownergraph", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Is a party owned or controlled by restricted parties, and through which paths?",
                  responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    app.state.settings = settings
    if store is not None:
        app.state.store = store
    app.state.options = options
    app.state.keyring = KeyRing(settings.data_dir) if options.keys_required else None
    install_error_handlers(app)

    # Only a server that requires keys declares them (and its 401 answers) in the OpenAPI document.
    guarded = [Depends(require_key)] if options.keys_required else []
    unauthorized: dict[int | str, dict] = {401: {"model": ErrorBody, "description": "No valid API key"}}
    unauthorized = unauthorized if options.keys_required else {}
    app.include_router(admin.router)
    app.include_router(verdicts.router, dependencies=guarded, responses=unauthorized)  # before parties: /v1/parties/{id}/verdict
    app.include_router(parties.router, dependencies=guarded, responses=unauthorized)
    app.include_router(search.router, dependencies=guarded, responses=unauthorized)
    app.include_router(screen.router, dependencies=guarded, responses=unauthorized)
    app.include_router(refresh.router, dependencies=guarded, responses=unauthorized)
    app.include_router(whatif.router, dependencies=guarded, responses=unauthorized)
    app.include_router(statuses.router, dependencies=guarded, responses=unauthorized)
    app.include_router(lists.router, dependencies=guarded, responses=unauthorized)

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> FileResponse:
        return FileResponse(STATIC / "docs" / "swagger.html")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> FileResponse:
        return FileResponse(STATIC / "docs" / "redoc.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, limit=options.max_body_bytes)
    return app


def quiet_driver_notifications() -> None:
    """The driver logs a warning for every query that names a label or property the data lacks yet;
    a server process keeps those out of its log (they cost time under load and say nothing)."""
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


def from_environment() -> FastAPI:
    """The app on the settings of the environment (`uvicorn --factory ownergraph.api.app:from_environment`)."""
    from ownergraph.settings import get_settings

    quiet_driver_notifications()
    return create_app(get_settings())


def serve(settings: Settings, workers: int = 1) -> None:
    """Run the API with uvicorn on settings.host:settings.port (127.0.0.1:8000 by default), in `workers`
    processes. One process runs Python on one core at a time (its threads share one interpreter lock); each
    worker is a process of its own with its own driver, and they share the port. Several workers each build
    the app from the environment's settings (`from_environment`), which is where `ownergraph serve` reads
    them; `settings` gives the address."""
    import uvicorn

    quiet_driver_notifications()
    app = create_app(settings) if workers == 1 else "ownergraph.api.app:from_environment"
    uvicorn.run(app, factory=workers > 1, workers=workers, host=settings.host, port=settings.port, log_level="info",
                server_header=False, proxy_headers=False)
