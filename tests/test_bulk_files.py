"""The bulk path's import files (no database): what the Parquet files hold, folded by one process or by two.

The graph neo4j-admin builds from these files is compared with the transactional load's in
tests/test_bulk_load.py; here, the files themselves: the buckets folded by two forked processes give
the rows one process gives, and the values the CSV input used to lose (empty lists, list items holding
control characters, line breaks) are in the files as the load writes them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_bulk_load import hostile

from ownergraph.loaders.bulk import importfiles, run

DEMO = Path(__file__).resolve().parents[1] / "ownergraph" / "demo"
VOLATILE = ("created_at", "loaded_at", "seq", "created_seq")


def tables(folder: Path) -> dict[str, Counter]:
    """Every table's rows (volatile columns left out), whichever files hold them."""
    out: dict[str, Counter] = {}
    for path in sorted(folder.glob("*.parquet")):
        stem = path.stem.rsplit("-", 1)[0] if path.stem[-1].isdigit() else path.stem
        rows = pq.read_table(path).to_pylist()
        out.setdefault(stem, Counter()).update(
            tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(row.items())
                  if k.split(":")[0] not in VOLATILE) for row in rows)
    return out


def written(paths: list[Path], folder: Path, processes: int, monkeypatch) -> run.BulkFiles:
    monkeypatch.setattr(importfiles, "workers", lambda: processes)
    return run.write_files(paths, folder, rejects=folder.parent / f"rejects-{processes}.csv", batch_size=7,
                           show_progress=False)


@pytest.mark.parametrize("data", ["demo", "hostile", "synthetic"])
def test_two_folding_processes_write_the_rows_one_writes(data, tmp_path, monkeypatch):
    if data == "synthetic":
        from benchmarks.synthetic import generate

        generate(2000, tmp_path / "synthetic", seed=3)
        (tmp_path / "synthetic" / "manifest.json").unlink()
    paths = {"demo": [DEMO], "synthetic": [tmp_path / "synthetic"]}.get(data) or hostile(tmp_path)
    one = written(paths, tmp_path / "one", 1, monkeypatch)
    two = written(paths, tmp_path / "two", 2, monkeypatch)
    assert one.counts == two.counts and one.counts["Party"] > 0
    assert tables(tmp_path / "one") == tables(tmp_path / "two")
    if data == "synthetic":  # 2,000 parties over 64 buckets: both processes get some (a few may get none)
        assert len(list((tmp_path / "two").glob("parties-*.parquet"))) == 2
    # every file written is named in the import's arguments, once
    named = [a.split("=", 2)[2] for a in two.arguments if a.startswith(("--nodes=", "--relationships="))]
    assert sorted(named) == sorted(p.name for p in (tmp_path / "two").glob("*.parquet"))


def test_empty_lists_and_control_characters_are_in_the_files_as_written(tmp_path, monkeypatch):
    written(hostile(tmp_path), tmp_path / "files", 2, monkeypatch)
    parties = {dict(row)["key:ID(Party)"]: dict(row) for row in tables(tmp_path / "files")["parties"]}
    a = parties["csv:A"]
    assert "odd\x1flist" in a["lists:string[]"]
    assert a["nationalities:string[]"] == ()  # [] as the load writes it, not a missing value
    assert parties["csv:B"]["name"] == "Line\nbreak GmbH"
    assert "1 Main St, Town" in [x for p in parties.values() for x in p["addresses:string[]"]]
