"""`verdict --engine memory` reads files as `ownergraph load` does: a file cut short, a byte that is not
UTF-8 or a name too long is a reported reject, and the verdict is computed from the rest."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_hostile_files_are_reported_rejects_under_the_memory_engine(tmp_path):
    folder = tmp_path / "graph"
    folder.mkdir()
    rows = ["id,name,kind,jurisdiction,headquarters,nationality,lists",
            "DRAGON,Dragon Peak Holdings,company,KY,CN,,", "ALPHA,Alpha Components GmbH,company,DE,DE,,",
            "M\xdcLLER,M\xfcller Handel GmbH,company,DE,DE,,", f"LONG,{'x' * 1200},company,DE,DE,,"]
    (folder / "entities.csv").write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    (folder / "ownership.csv").write_text("owner,owned,share,interest,start,end\nDRAGON,ALPHA,60,,2020-01-01,\n")
    entities = [{"id": f"c{i}", "schema": "Company", "properties": {"name": [f"Company {i}"]}} for i in range(3000)]
    whole = gzip.compress("".join(json.dumps(e) + "\n" for e in entities).encode())
    cut = tmp_path / "cut.ftm.json.gz"
    cut.write_bytes(whole[:len(whole) // 2])
    done = subprocess.run([sys.executable, "-m", "ownergraph.cli", "verdict", "ALPHA", "--engine", "memory",
                           "--policy", "cn-majority", "--data", str(folder), "--data", str(cut), "--json"],
                          capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, NEO4J_URI=""))
    assert "Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["verdict"] == "restricted"
    assert "line 4: not UTF-8: byte 0xDC" in done.stderr
    assert "name too long: 1,200 characters" in done.stderr
    assert "cut.ftm.json.gz" in done.stderr and "truncated" in done.stderr
