"""A CLI call imports only what its command needs: an analyst runs `ownergraph verdict` dozens of times a day.

Each command runs in a fresh interpreter, which then reports the modules it imported. The heavy ones (scipy and
networkx for the engines, followthemoney for FtM files, FastAPI for the server, Spark) must stay out of commands
that do not use them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = {"scipy", "networkx", "followthemoney", "fastapi", "uvicorn", "pyspark", "rapidfuzz", "rigour"}

RUN_AND_REPORT = """
import json, sys
from ownergraph.cli import app
try:
    app(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print("\\nMODULES " + json.dumps(sorted({name.split('.')[0] for name in sys.modules})))
"""


def imported_by(*args: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    done = subprocess.run([sys.executable, "-c", RUN_AND_REPORT, *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})
    marker = done.stdout.rfind("MODULES ")
    assert marker >= 0, done.stdout + done.stderr
    return set(json.loads(done.stdout[marker + len("MODULES "):])), done.stdout[:marker]


def test_help_imports_neither_the_engines_nor_the_driver_nor_pydantic():
    modules, out = imported_by("--help")
    assert "verdict" in out
    assert modules & (HEAVY | {"neo4j", "numpy", "pydantic", "pydantic_settings", "yaml", "markdown_it"}) == set()


def test_memory_verdict_on_a_csv_folder_needs_no_driver_and_no_ftm(demo_folder):
    modules, out = imported_by("verdict", "VANTAGE", "--engine", "memory", "--data", str(demo_folder), "--json")
    assert json.loads(out)["verdict"] == "restricted"
    assert "networkx" in modules  # the reference engine is what this command runs
    assert modules & {"neo4j", "scipy", "followthemoney", "fastapi", "uvicorn", "pyspark", "rapidfuzz"} == set()


def test_verdict_against_neo4j_imports_no_engine_it_does_not_use(store, neo4j_server, demo_folder, tmp_path):
    from ownergraph.loaders.run import load

    load(store, [demo_folder], rejects=tmp_path / "rejects.csv", show_progress=False)
    uri, user, secret = neo4j_server
    env = {"NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": secret}
    modules, out = imported_by("verdict", "VANTAGE", "--json", env=env)
    assert json.loads(out)["verdict"] == "restricted"
    assert "neo4j" in modules
    assert modules & HEAVY == set()


@pytest.mark.parametrize("command", [["db", "--help"], ["load", "--help"], ["screen", "--help"]])
def test_subcommand_help_is_light(command):
    modules, _ = imported_by(*command)
    assert modules & (HEAVY | {"neo4j", "pydantic_settings"}) == set()
