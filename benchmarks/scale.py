"""Registry scale: a synthetic register loaded by the bulk path, then closures and verdicts on that graph.

    python -m benchmarks scale --size 10m --work /tmp/og-bench --write BENCHMARKS.md
    python -m benchmarks scale --size 1m --heap 4g --pagecache 6g

For each size: the synthetic CSV folder (benchmarks/synthetic.py; generated into --work unless there)
is loaded into the empty database of a local server of its own by `ownergraph load --bulk` in a child
process (read and resolve, Parquet files, server stopped, neo4j-admin import, server started, schema and
indexes online); then, on the graph it built:

1. the resident size of Neo4j and the store's size on disk;
2. the full closure of each aggregate built-in policy (`graph/materialise.py`), with Neo4j's resident
   size after them;
3. single verdicts (`graph/evaluate.verdict`, one client) on --samples parties: read from the
   materialised cn-majority closure, and evaluated on demand as of another date;
4. `neo4j-admin database import` alone on the same files (the server stopped, over the store measured):
   the physical limit of the bulk path, and the ratio to it.

`--write` replaces the rows of these sizes in the section "Registry scale" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.bulk_load import start_own_server
from benchmarks.load_rate import commit, folder_for, machine
from benchmarks.run import AGGREGATE, AS_OF_OTHER, label, latencies, parse_size, rss_mb

ROOT = Path(__file__).resolve().parents[1]
SECTION = "### Registry scale"
TARGETS = "Targets: bulk >= 50k stakes/s end to end; 10M parties queryable in < 15 min; closures < 5 min; " \
          "verdict p95 < 50 ms materialised."


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def measure(n: int, folder: Path, work: Path, heap: str, pagecache: str, samples: int) -> dict:
    from benchmarks.synthetic import party_id
    from ownergraph.graph import materialise, server
    from ownergraph.graph.evaluate import verdict
    from ownergraph.graph.policy import builtin_policies
    from ownergraph.graph.store import connect

    home = work / f"scale-{label(n)}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    data = home / "server"
    settings, env = start_own_server(data, heap, pagecache, 1800)
    result: dict = {"parties_asked": n, "heap": heap, "pagecache": pagecache}
    try:
        print(f"== {label(n)}: ownergraph load --bulk", flush=True)
        cmd = [sys.executable, "-m", "benchmarks.bulk_load", "--child", "bulk", str(folder), "--work", str(home)]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the bulk load failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        result["bulk"] = json.loads(done.stdout.strip().splitlines()[-1])
        print(json.dumps(result["bulk"]), flush=True)
        paths = server.layout(settings)
        pid = server.read_pid(paths)
        result["neo4j_rss_after_load_mb"] = round(rss_mb(pid) or 0)
        result["store_mb"] = round(disk_mb(paths.data / "databases" / settings.neo4j_database))
        result["transactions_mb"] = round(disk_mb(paths.data / "transactions" / settings.neo4j_database))
        policies = builtin_policies()
        today = date.today()
        store = connect(settings)
        try:
            result["closures"] = {}
            for name in AGGREGATE:
                print(f"== {label(n)}: closure {name}", flush=True)
                began = time.perf_counter()
                built = materialise.materialise(store, policies[name], today)
                result["closures"][name] = {"s": round(time.perf_counter() - began, 1), "restricted": built.restricted,
                                            "indeterminate": built.indeterminate, "rounds": built.rounds}
                print(json.dumps(result["closures"][name]), flush=True)
            result["neo4j_rss_after_closures_mb"] = round(rss_mb(pid) or 0)
            print(f"== {label(n)}: single verdicts", flush=True)
            total = result["bulk"]["parties"]
            ids = [party_id(i) for i in random.Random(1).sample(range(total), min(samples, total))]
            cn = policies["cn-majority"]
            materialise.materialise(store, cn, today)  # current for today
            verdict(store, ids[0], cn)  # the first call plans the statement
            result["verdict"] = {"materialised": latencies(lambda k: verdict(store, k, cn), ids),
                                 "as_of": latencies(lambda k: verdict(store, k, cn, as_of=AS_OF_OTHER), ids)}
            print(json.dumps(result["verdict"]), flush=True)
        finally:
            store.close()
        print(f"== {label(n)}: neo4j-admin database import alone on the same files", flush=True)
        result["import_alone"] = import_alone(settings, home / "import")
        print(json.dumps(result["import_alone"]), flush=True)
    finally:
        server.stop(settings, timeout=600)
    bulk = result["bulk"]
    result["stakes_per_s"] = round(bulk["interests"] / bulk["wall_s"])
    result["ratio_to_import"] = round(bulk["wall_s"] / result["import_alone"]["s"], 1)
    shutil.rmtree(data, ignore_errors=True)
    return result


def import_alone(settings, files: Path) -> dict:
    """neo4j-admin on the bulk load's own files, over the store the bulk load built (measured by then: two
    stores of a 10M graph would not fit the disk beside the files)."""
    from ownergraph.graph import server

    manifest = json.loads((files / "manifest.json").read_text())
    arguments = manifest["arguments"]
    server.stop(settings, timeout=600)
    began = time.monotonic()
    done = server.admin(settings, ["database", "import", "full", "--overwrite-destination=true",
                                   f"--max-off-heap-memory={settings.pagecache_size}", *arguments], cwd=files)
    seconds = time.monotonic() - began
    if done.returncode != 0:
        raise SystemExit(f"neo4j-admin import alone failed:\n{(done.stdout + done.stderr)[-3000:]}")
    log = done.stdout + done.stderr
    peak = re.search(r"Peak memory usage: ([\d.]+)([KMG])iB", log)
    return {"s": round(seconds, 1), "peak": f"{peak.group(1)} {peak.group(2)}iB" if peak else None,
            "files_mb": round(sum(p.stat().st_size for p in files.glob("*.parquet")) / 2**20)}


# -- the report ------------------------------------------------------------------------------------------

def row(r: dict) -> str:
    b, c, v = r["bulk"], r["closures"], r["verdict"]
    steps = ", ".join(f"{k} {v:.0f}" for k, v in b["seconds"].items() if k != "total")
    closures = ", ".join(f"{k} {x['s']:.0f}" for k, x in c.items())
    return (f"| {label(r['parties_asked'])} | {b['parties']:,} | {b['interests']:,} | {b['wall_s']:,.0f} ({steps}) "
            f"| {r['stakes_per_s']:,} | {r['import_alone']['s']:,.0f} | {r['ratio_to_import']}x "
            f"| {b['peak_rss_mb']:,} | {r['neo4j_rss_after_load_mb']:,} / {r['neo4j_rss_after_closures_mb']:,} "
            f"| {r['store_mb']:,} | {closures} | {v['materialised']['p50']:.1f} / {v['materialised']['p95']:.1f} "
            f"| {v['as_of']['p50']:.1f} / {v['as_of']['p95']:.1f} |")


HEADER = ("| size | parties | stakes | bulk end to end, s (steps) | stakes/s | neo4j-admin import alone, s "
          "| bulk / import | loader peak RSS, MB | Neo4j RSS after load / closures, MB | store, MB "
          "| closures, s | verdict materialised p50 / p95, ms | verdict as-of p50 / p95, ms |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def write(path: Path, results: list[dict], header: str, command: str) -> None:
    text = path.read_text()
    rows = {r["parties_asked"]: row(r) for r in results}
    start = text.find(SECTION)
    kept: dict[int, str] = {}
    if start >= 0:
        end = text.find("\n### ", start + len(SECTION))
        end = len(text) if end < 0 else end
        for line in text[start:end].splitlines():
            if line.startswith("| ") and not line.startswith("| size"):
                kept[parse_size(line.split("|")[1].strip())] = line
        before, after = text[:start], text[end:]
    else:
        before, after = text.rstrip() + "\n\n", "\n"
    kept.update(rows)
    lines = [row_ for _, row_ in sorted(kept.items())]
    section = (f"{SECTION}\n\n`{command}`: the bulk path into the empty database of a local server of its own "
               "(end to end: file to a queryable graph, indexes online), then on that graph the three aggregate "
               "closures, single verdicts (one client) and neo4j-admin import alone on the same files. "
               f"{TARGETS} Last run: {header}.\n\n{HEADER}\n" + "\n".join(lines) + "\n")
    path.write_text(before + section + after)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", nargs="+", default=["1m"], help="synthetic graph sizes (100k, 1m, 10m)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ownergraph-benchmarks"),
                        help="where the synthetic folders, the import files and the server go (kept between runs)")
    parser.add_argument("--heap", default="6g", help="Neo4j heap (and neo4j-admin's)")
    parser.add_argument("--pagecache", default="10g", help="Neo4j page cache (and neo4j-admin's off-heap memory)")
    parser.add_argument("--samples", type=int, default=300, help="parties per latency measurement")
    parser.add_argument("--write", type=Path, help="update this BENCHMARKS.md")
    parser.add_argument("--json", type=Path, help="append each size's results to this JSON lines file")
    args = parser.parse_args(argv)
    header = f"{machine()}; commit {commit()}; {date.today().isoformat()}"
    print(header, flush=True)
    results = []
    for size in args.size:
        n = parse_size(size)
        folder = folder_for(args.work, n, args.seed)
        result = measure(n, folder, args.work, args.heap, args.pagecache, args.samples)
        results.append(result)
        print(row(result), flush=True)
        if args.json:
            with args.json.open("a") as handle:
                handle.write(json.dumps(result) + "\n")
    if args.write:
        command = "python -m benchmarks scale --size " + " ".join(args.size) + \
                  f" --heap {args.heap} --pagecache {args.pagecache}"
        write(args.write, results, header, command)


if __name__ == "__main__":
    main()
