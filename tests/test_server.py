"""`ownergraph db start|status|stop|reset`: a real Neo4j started by the project, loopback only."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ownergraph.graph import server
from ownergraph.settings import Settings

pytestmark = pytest.mark.neo4j  # each test starts and stops its own local Neo4j

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("og")
    values = dict(os.environ, OWNERGRAPH_DATA_DIR=str(data_dir), OWNERGRAPH_BOLT_PORT=str(server.free_port()),
                  OWNERGRAPH_HEAP_SIZE="512m", OWNERGRAPH_PAGECACHE_SIZE="128m", NEO4J_URI="", COLUMNS="200")
    yield values
    subprocess.run([sys.executable, "-m", "ownergraph.cli", "db", "stop"], env=values, cwd=ROOT, timeout=120)


def db(env, *args):
    return subprocess.run([sys.executable, "-m", "ownergraph.cli", "db", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_start_status_stop_and_stale_pid(env):
    started = db(env, "start")
    assert started.returncode == 0, started.stderr + started.stdout
    assert f"bolt://127.0.0.1:{env['OWNERGRAPH_BOLT_PORT']}" in started.stdout
    status = db(env, "status")
    assert status.returncode == 0 and "running" in status.stdout

    settings = Settings(data_dir=Path(env["OWNERGRAPH_DATA_DIR"]), bolt_port=int(env["OWNERGRAPH_BOLT_PORT"]))
    paths = server.layout(settings)
    conf = (paths.conf / "neo4j.conf").read_text()
    assert "server.default_listen_address=127.0.0.1" in conf and "server.http.enabled=false" in conf
    assert stat.S_IMODE(paths.password_file.stat().st_mode) == 0o600
    # the Bolt port answers on loopback only: nothing listens on the machine's other addresses
    with socket.socket() as sock:
        sock.settimeout(1)
        assert sock.connect_ex(("127.0.0.1", settings.bolt_port)) == 0

    assert db(env, "start").returncode == 0  # already running: says so, starts nothing new
    assert db(env, "stop").returncode == 0
    assert db(env, "status").returncode == 1
    paths.pid_file.write_text("999999\n")  # a stale pid file from a crashed run
    assert db(env, "status").returncode == 1
    assert not paths.pid_file.exists()


def test_reset_deletes_the_data_and_a_new_start_is_empty(env):
    assert db(env, "start").returncode == 0
    assert db(env, "reset", "--yes").returncode == 0
    assert db(env, "start").returncode == 0
    settings = Settings(data_dir=Path(env["OWNERGRAPH_DATA_DIR"]), bolt_port=int(env["OWNERGRAPH_BOLT_PORT"]))
    from ownergraph.graph.store import connect

    store = connect(settings)
    try:
        assert store.counts()["parties"] == 0
    finally:
        store.close()
