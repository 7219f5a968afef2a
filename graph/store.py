"""The Neo4j store: one driver, named Cypher statements, batched writes, the schema.

Everything above this module (semantics, API) talks to Neo4j through `Store`; nothing else opens a
driver or holds Cypher text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, TypeVar

from neo4j import Driver, GraphDatabase, Query
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from ownergraph.cypher import names, query
from ownergraph.graph.errors import OwnergraphError, StoreUnavailable
from ownergraph.settings import Settings

SCHEMA_VERSION = 2  # 2: shares encoded to eight decimals (graph/share.py), re-encoded on upgrade


class NewerSchema(OwnergraphError):
    status = 503


class DriverOptions(TypedDict):
    notifications_min_severity: Literal["OFF"]
    connection_timeout: float
    max_transaction_retry_time: float


# server notifications (e.g. "property key not in the database yet") are not for users
DRIVER_OPTIONS: DriverOptions = {"notifications_min_severity": "OFF", "connection_timeout": 5.0,
                                 "max_transaction_retry_time": 5.0}


@dataclass
class Store:
    driver: Driver
    database: str = "neo4j"
    schema_known: bool = field(default=False, compare=False, repr=False)

    def close(self) -> None:
        self.driver.close()

    def require_schema(self) -> None:
        """Before the first statement: a database of an older schema is upgraded first (shares stored in an
        older encoding would otherwise be read in the new one: a wrong "clear"), one of a newer schema is
        refused. Once per store; an empty database needs nothing."""
        if self.schema_known:
            return
        try:
            records = self.driver.execute_query(query("meta/schema_version_get"), database_=self.database).records
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(str(exc)) from exc
        version = records[0]["version"] if records else None
        if version is not None and version > SCHEMA_VERSION:
            raise NewerSchema(f"the database holds schema version {version}, written by a newer ownergraph; "
                              f"this one knows version {SCHEMA_VERSION}: upgrade ownergraph")
        self.schema_known = True
        if version is not None and version < SCHEMA_VERSION:
            try:
                self.apply_schema()
            except BaseException:
                self.schema_known = False
                raise

    def run(self, name: str, **params: Any) -> list[dict]:
        """Run one named statement in an auto-retried transaction of the right kind; return its rows."""
        self.require_schema()
        text = query(name)
        try:
            with self.driver.session(database=self.database) as session:
                work = session.execute_read if name.startswith(("read/", "api/")) else session.execute_write
                return work(lambda tx: [r.data() for r in tx.run(text, params)])
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(str(exc)) from exc

    def run_auto(self, name: str, **params: Any) -> list[dict]:
        """Run a statement outside an explicit transaction (schema statements)."""
        self.require_schema()
        try:
            with self.driver.session(database=self.database) as session:
                return [r.data() for r in session.run(Query(query(name)), params)]
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailable(str(exc)) from exc

    def stream(self, name: str, **params: Any) -> Iterator[dict]:
        self.require_schema()
        with self.driver.session(database=self.database) as session:
            for record in session.run(Query(query(name)), params):
                yield record.data()

    def apply_schema(self) -> int:
        """Create every constraint and index (idempotent) and record the schema version."""
        current = self.schema_version()
        for name in names("schema"):
            self.run_auto(name)
        if current is not None and current < 2:
            from ownergraph.graph.reencode import reencode

            reencode(self)
        self.run("meta/schema_version_set", version=SCHEMA_VERSION)
        self.driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        return current or 0

    def schema_version(self) -> int | None:
        rows = self.run("meta/schema_version_get")
        return rows[0]["version"] if rows else None

    def counts(self) -> dict[str, int]:
        return self.run("meta/counts")[0]

    def clear(self) -> None:
        """Delete every node and relationship (the schema stays), in transactions of bounded size:
        relationships first, then nodes."""
        while self.run("meta/delete_relationships_batch", limit=20000)[0]["deleted"]:
            pass
        while self.run("meta/delete_batch", limit=10000)[0]["deleted"]:
            pass

    def ping(self) -> bool:
        try:
            self.driver.verify_connectivity()
            return True
        except Exception:
            return False


def native(value: Any) -> Any:
    """A value read from Neo4j as Python's own (neo4j.time dates and date-times to datetime's); others as they are."""
    return value.to_native() if hasattr(value, "to_native") else value


def connect(settings: Settings, uri: str | None = None, pool_size: int = 100) -> Store:
    """A store on the configured Neo4j: NEO4J_URI if set, else the local server; `pool_size` caps the
    driver's connections (100: the driver's default)."""
    from ownergraph.graph import server

    if settings.external:
        auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
        driver = GraphDatabase.driver(settings.neo4j_uri or "", auth=auth, max_connection_pool_size=pool_size,
                                      **DRIVER_OPTIONS)
    else:
        secret = server.password(server.layout(settings))
        driver = GraphDatabase.driver(uri or server.uri(settings), auth=(settings.neo4j_user, secret or ""),
                                      max_connection_pool_size=pool_size, **DRIVER_OPTIONS)
    return Store(driver, settings.neo4j_database)


@contextmanager
def opened(settings: Settings) -> Iterator[Store]:
    store = connect(settings)
    try:
        yield store
    finally:
        store.close()


T = TypeVar("T")
PAGE = 5_000  # rows sent to Neo4j in one statement


def pages(rows: Sequence[T], size: int = PAGE) -> Iterator[Sequence[T]]:
    """`rows` in consecutive slices of at most `size`, for statements that take a list parameter."""
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
