"""The bulk path against the transactional load: wall time and stakes/s on the synthetic graphs.

    python -m benchmarks.bulk_load --parties 100000 --write BENCHMARKS.md
    python -m benchmarks.bulk_load --parties 1000000 --only bulk --work /tmp/og-bench --write BENCHMARKS.md

For each size the synthetic CSV folder (benchmarks/synthetic.py, about two interests per party) is loaded
into an empty database of a local server of its own, once by `loaders.bulk.run.bulk_load` (`ownergraph
load --bulk`: read and resolve, CSV files, server stopped, neo4j-admin import, server started, schema,
indexes online, the empty lists, the writers' register) and once by `loaders.run.load` (`ownergraph
load`), each in a child process (its peak RSS is its own). The server is up before either starts, as
after `ownergraph db start`; the quality report `ownergraph load` prints afterwards is not timed.
`--write` replaces the rows of these graphs in the Load rate table of BENCHMARKS.md and the section
"Bulk load" of its notes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.load_rate import commit, folder_for, machine

ROOT = Path(__file__).resolve().parents[1]
WAYS = ("bulk", "load")
ROW_LABEL = {"bulk": "bulk load (`load --bulk`: neo4j-admin import)", "load": "csv (loaders, same run as bulk)"}
SECTION = "### Bulk load"


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k" if n % 1_000 == 0 else str(n)


# -- the child: one load, measured -----------------------------------------------------------------------

def run_child(way: str, folder: Path, work: Path) -> dict:
    from ownergraph.graph.store import opened
    from ownergraph.settings import Settings

    settings = Settings()  # the parent's server, from OWNERGRAPH_* variables
    began = time.monotonic()
    if way == "bulk":
        from ownergraph.loaders.bulk import run as bulk

        files = work / "import"
        result = bulk.bulk_load(settings, [folder], rejects=work / "rejects.csv", keep=files, show_progress=False)
        seconds, summary = result.seconds, result.summary
        log = (files / "import.log").read_text() if (files / "import.log").exists() else ""
        peak = re.search(r"Peak memory usage: ([\d.]+)([KMG])iB", log)
        import_mb = float(peak.group(1)) * {"K": 1 / 1024, "M": 1, "G": 1024}[peak.group(2)] if peak else None
        files_mb = sum(p.stat().st_size for p in files.glob("*.parquet")) / 2**20
    else:
        from ownergraph.loaders.run import load

        with opened(settings) as store:
            summary = load(store, [folder], rejects=work / "rejects.csv", batch_size=settings.batch_size,
                           show_progress=False)
        seconds, import_mb, files_mb = {}, None, None
    wall = time.monotonic() - began
    with opened(settings) as store:
        counts = store.counts()
        online = store.driver.execute_query("SHOW INDEXES YIELD state WHERE state <> 'ONLINE' RETURN count(*) AS n")
    return {"way": way, "wall_s": round(wall, 1), "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "parties": counts["parties"], "interests": counts["interests"],
            "parties_new": summary.parties_new, "interests_new": summary.interests_new,
            "indexes_not_online": online.records[0]["n"],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "import_peak_mb": round(import_mb) if import_mb else None,
            "files_mb": round(files_mb) if files_mb is not None else None}


# -- the parent ------------------------------------------------------------------------------------------

def start_own_server(data: Path, heap: str, pagecache: str, timeout: int):
    """A local server in `data`, started, and the environment that points a child process at it."""
    from ownergraph.graph import server
    from ownergraph.settings import Settings

    settings = Settings(data_dir=data, bolt_port=server.free_port(), heap_size=heap, pagecache_size=pagecache,
                        start_timeout=timeout)
    env = dict(os.environ, OWNERGRAPH_DATA_DIR=str(data), OWNERGRAPH_BOLT_PORT=str(settings.bolt_port),
               OWNERGRAPH_HEAP_SIZE=heap, OWNERGRAPH_PAGECACHE_SIZE=pagecache, OWNERGRAPH_START_TIMEOUT=str(timeout))
    env.pop("NEO4J_URI", None)
    # started by a process of its own, as `ownergraph db start` does: the server is then nobody's child,
    # and the child's stop (the bulk path's) sees it exit (a child of this process would stay a zombie)
    subprocess.run([sys.executable, "-c", "from ownergraph.graph import server; from ownergraph.settings import "
                    "Settings; server.start(Settings())"], cwd=ROOT, env=env, check=True)
    return settings, env


def measure(way: str, folder: Path, heap: str, pagecache: str) -> dict:
    from ownergraph.graph import server

    with tempfile.TemporaryDirectory(prefix=f"ownergraph-bulk-bench-{way}-") as tmp:
        settings, env = start_own_server(Path(tmp) / "neo4j", heap, pagecache, 600)
        try:
            cmd = [sys.executable, "-m", "benchmarks.bulk_load", "--child", way, str(folder), "--work", tmp]
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"the {way} load failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
            return json.loads(done.stdout.strip().splitlines()[-1])
        finally:
            server.stop(settings)


def rows(n: int, results: dict[str, dict]) -> list[str]:
    """Rows of the Load rate table (graph, format, parties, interests, wall s, parties/s, interests/s)."""
    out = []
    for way in WAYS:
        r = results.get(way)
        if r:
            out.append(f"| synthetic {label(n)} | {ROW_LABEL[way]} | {r['parties']:,} | {r['interests']:,} "
                       f"| {r['wall_s']:.1f} | {round(r['parties'] / r['wall_s']):,} "
                       f"| {round(r['interests'] / r['wall_s']):,} |")
    return out


def detail(n: int, results: dict[str, dict]) -> str:
    bulk, load = results.get("bulk"), results.get("load")
    parts = []
    if bulk:
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in bulk["seconds"].items() if k != "total")
        parts.append(f"synthetic {label(n)}, bulk: {bulk['wall_s']:.1f} s end to end ({steps}); "
                     f"{round(bulk['interests'] / bulk['wall_s']):,} interests/s; loader peak RSS "
                     f"{bulk['peak_rss_mb']:,} MB, neo4j-admin import peak {bulk['import_peak_mb'] or 'n/a'} MB, "
                     f"Parquet files {bulk['files_mb']:,} MB")
    if load:
        parts.append(f"transactional: {load['wall_s']:.1f} s, {round(load['interests'] / load['wall_s']):,} "
                     f"interests/s, loader peak RSS {load['peak_rss_mb']:,} MB")
    if bulk and load:
        parts.append(f"bulk {load['wall_s'] / bulk['wall_s']:.1f}x faster; same counts: "
                     f"{'yes' if (bulk['parties'], bulk['interests']) == (load['parties'], load['interests']) else 'NO'}")
    return "- " + "; ".join(parts) + "."


def write(path: Path, sizes: list[int], results: dict[int, dict[str, dict]], header: str) -> None:
    text = path.read_text()
    lines = text.split("\n")
    names = {f"| synthetic {label(n)} | {ROW_LABEL[w]} |" for n in sizes for w in WAYS}
    lines = [line for line in lines if not any(line.startswith(name) for name in names)]
    start = lines.index("### Load rate")
    table = next(i for i in range(start, len(lines)) if lines[i].startswith("|---"))
    end = next(i for i in range(table + 1, len(lines)) if not lines[i].startswith("|"))
    new = [row for n in sizes for row in rows(n, results[n])]
    lines[end:end] = new
    text = "\n".join(lines)
    details = [detail(n, results[n]) for n in sizes]
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        body, sep, tail = rest.partition("\n### ")
        kept = [line for line in body.split("\n") if line.startswith("- synthetic ")
                and not any(line.startswith(f"- synthetic {label(n)},") for n in sizes)]
        section = "\n".join([SECTION, "", _intro(header), "", *kept, *details, "", ""])
        text = head + section + (sep.lstrip("\n") + tail if sep else "")
    else:
        marker = "### Other findings"
        section = "\n".join([SECTION, "", _intro(header), "", *details, "", ""])
        text = text.replace(marker, section + marker, 1)
    path.write_text(text)


def _intro(header: str) -> str:
    return ("`python -m benchmarks.bulk_load --parties N` (each way into an empty database of its own server, "
            "the loader in a child process; bulk end to end: file to a queryable graph with its indexes online). "
            f"Last run: {header}.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=WAYS, help="measure one way only")
    parser.add_argument("--work", type=Path, help="folder for the generated CSV folders, kept between runs")
    parser.add_argument("--heap", default="4g")
    parser.add_argument("--pagecache", default="4g")
    parser.add_argument("--write", type=Path, help="update this BENCHMARKS.md")
    parser.add_argument("--child", nargs=2, metavar=("WAY", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_child(args.child[0], Path(args.child[1]), args.work)))
        return
    header = f"{machine()}; commit {commit()}; {date.today().isoformat()}"
    print(header, flush=True)
    results: dict[int, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="ownergraph-bulk-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for n in args.parties:
            folder = folder_for(work, n, args.seed)
            results[n] = {}
            for way in ([args.only] if args.only else WAYS):
                results[n][way] = measure(way, folder, args.heap, args.pagecache)
                print(json.dumps(results[n][way]), flush=True)
            print("\n".join(rows(n, results[n])))
            print(detail(n, results[n]), flush=True)
    if args.write:
        write(args.write, args.parties, results, header)


if __name__ == "__main__":
    main()
