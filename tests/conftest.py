"""Test harness: a real Neo4j for the whole run, a clean database for each test module.

Where the Neo4j comes from, in order: NEO4J_URI if set; testcontainers' Neo4j when a Docker engine
answers; else the project's own `db start` on a free loopback port in a temporary folder. When none can
be had, tests that need it skip locally and fail under CI=true.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ownergraph.graph.store import DRIVER_OPTIONS, Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip (fail in CI) when the folder is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        missing(f"reference data {path} is absent (../shared/data sits beside the checkout in CI)")
    return path


def missing(message: str, whole_module: bool = False) -> None:
    """A test that cannot run here: skipped, but failed in CI, where everything it needs is installed."""
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=whole_module)


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """(uri, user, password) of a real Neo4j for this test run."""
    from neo4j import GraphDatabase

    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")
        return
    if _docker_answers():
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer("neo4j:5.26-community") as container:
            yield container.get_connection_url(), "neo4j", container.password
        return
    from ownergraph.graph import server
    from ownergraph.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("neo4j"), bolt_port=server.free_port(),
                        heap_size="1g", pagecache_size="512m")
    try:
        uri = server.start(settings)
    except server.ServerError as exc:
        missing(f"no Neo4j for the tests: {exc}")
    try:
        with GraphDatabase.driver(uri, auth=("neo4j", server.password(server.layout(settings)))) as d:
            d.verify_connectivity()
        yield uri, "neo4j", server.password(server.layout(settings))
    finally:
        server.stop(settings)


@pytest.fixture(scope="module")
def store(neo4j_server):
    """A Store on an empty database with the schema applied, for one test module."""
    from neo4j import GraphDatabase

    uri, user, secret = neo4j_server
    driver = GraphDatabase.driver(uri, auth=(user, secret), **DRIVER_OPTIONS)
    s = Store(driver)
    s.clear()
    s.apply_schema()
    yield s
    driver.close()


@pytest.fixture(scope="session")
def demo_folder() -> Path:
    return Path(__file__).resolve().parents[1] / "ownergraph" / "demo"


# Fixtures that start a Neo4j (the session's, or a module's own local server, as tests/test_bulk_load.py's).
SERVER_FIXTURES = frozenset({"neo4j_server", "bulk_settings"})


def pytest_collection_modifyitems(items):
    """Every test whose fixtures start a Neo4j, directly or through another fixture (`fixturenames` is the
    whole closure), carries the `neo4j` marker, so `-m "not neo4j"` is the database-free tier (`make check`)."""
    for item in items:
        if SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)
