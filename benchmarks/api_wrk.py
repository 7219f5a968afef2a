"""The API under wrk: verdicts per second beside the bare limits of the same server, in one run.

    python -m benchmarks.api_wrk --size 100k --workers 1 2 3        # a synthetic graph, each worker count
    python -m benchmarks.api_wrk --size 1m --workers 2 --out BENCHMARKS.md

For a synthetic graph of benchmarks/synthetic.py (generated under --work unless there already) in Neo4j
(NEO4J_URI when set, else a server started for the run in a temporary directory, as `benchmarks run` does;
the graph is written in bulk by cypher/bench/ unless the database holds it already, and the cn-majority
closure is built for today unless current), it starts `ownergraph serve --workers N` on a free loopback
port for each N asked and measures with wrk (a load generator outside Python, /usr/bin/wrk; Debian's
`wrk` package), 32 connections by default:

- `/healthz`: the server's bare limit (routing, HTTP, no database);
- `/readyz`: one trivial Neo4j statement (the schema version, a read transaction): the limit of a request
  that reaches the database;
- materialised verdicts, `GET /v1/parties/{id}/verdict?policy=cn-majority` with the explanation, over
  distinct party ids (cold: no id asked twice) and over 16 ids asked again and again (warm);
- as-of verdicts (`&as_of=2023-06-30`, evaluated on demand over the party's cone), distinct ids.

Each measurement is bounded in requests (every wrk thread stops after its share) and seconds (wrk -d),
follows a short warm-up on other ids, and reports requests/s, p50/p95/p99 latency, errors (non-200
answers, timeouts, socket errors), verdicts/s as a ratio of the two bare limits, and the CPU time each
request cost the API processes, Neo4j and wrk (from /proc and wait4: on a shared machine CPU per request
says more than wall time). Only loopback is targeted. Prints Markdown for BENCHMARKS.md (`--out` writes it
between the `api-wrk` markers) and `--json` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from benchmarks import load_rate

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("api_wrk.lua")
START, END = "<!-- api-wrk:start -->", "<!-- api-wrk:end -->"
AS_OF_OTHER = "2023-06-30"
POLICY = "cn-majority"
TARGETS = {"verdicts_per_s": 400.0, "materialised_p95_ms": 50.0, "as_of_p95_ms": 300.0}
TICKS = os.sysconf("SC_CLK_TCK")


# -- CPU time of processes ---------------------------------------------------------------------------

def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(pid: int) -> list[int]:
    """The process and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def tree_cpu_s(pids: list[int]) -> float:
    return sum(cpu_s(p) for p in pids)


# -- the graph -----------------------------------------------------------------------------------------

def prepare(folder: Path, replace: bool) -> list[str]:
    """The folder's graph in the configured Neo4j (written in bulk unless there already) with a current
    cn-majority closure for today; returns every party key."""
    from benchmarks.run import bulk_write
    from ownergraph.graph import materialise
    from ownergraph.graph.policy import builtin_policies
    from ownergraph.graph.store import native, opened
    from ownergraph.settings import Settings

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    policy = builtin_policies()[POLICY]
    today = date.today()
    with opened(Settings()) as store:
        counts = store.counts()
        if (counts["parties"], counts["interests"]) != (manifest["parties"], manifest["interests"]):
            if counts["parties"] and not replace:
                raise SystemExit(f"the database holds {counts['parties']:,} parties, not this graph's "
                                 f"{manifest['parties']:,}; --replace deletes them first")
            from ownergraph.loaders.memory import network as from_paths

            print(f"writing {folder} into Neo4j (in bulk)", flush=True)
            began = time.perf_counter()
            written = bulk_write(store, from_paths([folder]))
            print(f"  {time.perf_counter() - began:.0f} s ({written['edges_per_s']:,} interests/s)", flush=True)
        info = materialise.current(store, policy)
        if info is None or native(info["as_of"]) != today:
            print(f"building the {POLICY} closure for {today}", flush=True)
            materialise.materialise(store, policy, today)
        return [row["key"] for row in store.run("bench/party_keys")]


# -- the server ---------------------------------------------------------------------------------------

@contextmanager
def served(workers: int, log: Path, legacy: bool, timeout: float = 120):
    """`ownergraph serve --workers N` on a free loopback port (or, with `legacy`, one uvicorn process as
    releases before `--workers` ran it), on the settings of the environment; yields (url, pids)."""
    from ownergraph.graph.server import free_port

    port = free_port()
    if legacy:
        cmd = [sys.executable, "-m", "uvicorn", "ownergraph.api.app:from_environment", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    else:
        cmd = [sys.executable, "-m", "ownergraph.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as sink:
        process = subprocess.Popen(cmd, stdout=sink, stderr=sink, cwd=os.getcwd())
    try:
        deadline = time.monotonic() + timeout
        while not _ready(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the API did not become ready at {url} (log: {log})")
            time.sleep(0.5)
        time.sleep(1.0)  # every worker up (uvicorn starts them one after another)
        yield url, descendants(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# -- wrk ------------------------------------------------------------------------------------------------

@dataclass
class Probe:
    name: str  # healthz | ping-db | materialised cold | ...
    prefix: str  # the path before the id (the whole path when there are no ids)
    suffix: str
    ids: list[str]  # already escaped; empty: the one path
    requests: int


def run_wrk(url: str, probe: Probe, duration: float, connections: int, threads: int, work: Path,
            watch: dict[str, list[int]]) -> dict:
    """One bounded wrk run; its figures and the CPU seconds of each watched process group and of wrk."""
    ids_file = "-"
    if probe.ids:
        handle = tempfile.NamedTemporaryFile("w", dir=work, prefix="ids-", suffix=".txt", delete=False)
        with handle:
            handle.write("\n".join(probe.ids) + "\n")
        ids_file = handle.name
    budget = max(1, probe.requests // threads)
    cmd = [shutil.which("wrk") or "/usr/bin/wrk", "-t", str(threads), "-c", str(connections),
           "-d", f"{duration:g}s", "--timeout", "10s", "-s", str(LUA), url, "--", ids_file, str(budget),
           probe.prefix, probe.suffix or "-", str(threads)]
    before = {name: tree_cpu_s(pids) for name, pids in watch.items()}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+", dir=work) as output:
        process = subprocess.Popen(cmd, stdout=output, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + duration + 60
        while True:  # wait4: wrk's own CPU time
            pid, code, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit(f"wrk did not stop after {duration + 60:.0f} s")
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(code)
        output.seek(0)
        out = output.read()
    after = {name: tree_cpu_s(pids) for name, pids in watch.items()}
    if ids_file != "-":
        os.unlink(ids_file)
    line = next((x for x in out.splitlines() if x.startswith("WRK ")), None)
    if process.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({process.returncode}):\n{out[-2000:]}")
    figures = json.loads(line[4:])
    seconds = figures["elapsed_s"]
    errors = sum(figures[k] for k in ("connect", "read", "write", "timeout")) + figures["not_200"]
    cpu = {name: round(after[name] - before[name], 2) for name in watch}
    served_cpu = sum(cpu.values())  # the API's and Neo4j's, not the load generator's
    return {
        "name": probe.name, "distinct_ids": len(set(probe.ids)), "requests": figures["requests"],
        "seconds": round(seconds, 2), "per_s": round(figures["requests"] / seconds, 1) if seconds else 0.0,
        "budget_reached": figures["budget_reached"] == threads,
        "p50_ms": figures["p50_us"] / 1000, "p95_ms": figures["p95_us"] / 1000, "p99_ms": figures["p99_us"] / 1000,
        "max_ms": figures["max_us"] / 1000, "errors": errors,
        "error_kinds": {k: figures[k] for k in ("connect", "read", "write", "timeout", "not_200") if figures[k]},
        "cpu_s": cpu, "wrk_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        # the rate the CPU time per request would allow on two cores given to the API and Neo4j alone
        "ceiling_per_s": round(2 * figures["requests"] / served_cpu) if served_cpu and "neo4j" in cpu else None,
        "load_average": load_before,
    }


def measure(url: str, pids: dict[str, list[int]], keys: list[str], offset: int, args) -> list[dict]:
    """Warm-up, then the bare limits and the verdicts, each bounded; returns one figure set per probe."""
    rng = random.Random(args.seed)
    pool = [quote(k, safe="") for k in rng.sample(keys, len(keys))]

    def take(n: int) -> list[str]:
        nonlocal offset
        out = [pool[(offset + i) % len(pool)] for i in range(n)]
        offset += n
        return out

    verdict = "/v1/parties/"
    materialised, as_of = f"/verdict?policy={POLICY}", f"/verdict?policy={POLICY}&as_of={AS_OF_OTHER}"
    status, body = _get(f"{url}{verdict}{pool[0]}{materialised}")
    if status != 200 or b'"verdict"' not in body:
        raise SystemExit(f"a verdict read failed ({status}): {body[:500]!r}")
    warm_ids = take(args.warm_ids)
    warmup = [Probe("warm-up healthz", "/healthz", "", [], 10 ** 6),
              Probe("warm-up readyz", args.ping, "", [], 10 ** 6),
              Probe("warm-up materialised", verdict, materialised, take(2000) + warm_ids, 10 ** 6),
              Probe("warm-up as-of", verdict, as_of, take(500), 10 ** 6)]
    for probe in warmup:
        run_wrk(url, probe, args.warmup, args.connections, args.threads, args.work, pids)
    probes = [Probe("healthz", "/healthz", "", [], args.bare_requests),
              Probe("ping-db", args.ping, "", [], args.bare_requests),
              Probe("materialised cold", verdict, materialised, take(args.requests), args.requests),
              Probe("materialised warm", verdict, materialised, warm_ids, args.requests),
              Probe("as-of cold", verdict, as_of, take(args.as_of_requests), args.as_of_requests)]
    out = []
    for probe in probes:
        figures = run_wrk(url, probe, args.duration, args.connections, args.threads, args.work, pids)
        print(json.dumps(figures), flush=True)
        out.append(figures)
    return out


# -- the report -----------------------------------------------------------------------------------------

def render(reports: list[dict]) -> str:
    """The Markdown of one or more runs ({header, command, runs}), each its own table, between the markers."""
    lines = [START]
    for report in reports:
        lines += table(report["runs"], report["header"], report["command"])
    return "\n".join(lines + ["", END])


def table(runs: list[dict], header: str, command: str) -> list[str]:
    lines = ["", f"Generated by `{command}`; {header}.", "",
             "| workers | what | distinct ids | requests | s | requests/s | p50 ms | p95 ms | p99 ms | errors "
             "| / healthz | / ping-db | CPU ms per request: API / Neo4j / wrk | 2-core ceiling /s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for run in runs:
        by = {f["name"]: f for f in run["figures"]}
        for f in run["figures"]:
            ratio = ("", "")
            if f["name"] not in ("healthz", "ping-db"):
                ratio = (f"{f['per_s'] / by['healthz']['per_s']:.2f}", f"{f['per_s'] / by['ping-db']['per_s']:.2f}")
            cpu = " / ".join(f"{1000 * f['cpu_s'][k] / max(f['requests'], 1):.2f}" if k in f["cpu_s"] else "n/a"
                             for k in ("api", "neo4j"))
            wrk = f"{1000 * f['wrk_cpu_s'] / max(f['requests'], 1):.2f}"
            ceiling = f"{f['ceiling_per_s']:,}" if f.get("ceiling_per_s") else "n/a"
            lines.append(f"| {run['workers']} | {f['name']} | {f['distinct_ids'] or ''} | {f['requests']:,} "
                         f"| {f['seconds']:.1f} | {f['per_s']:,.0f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} "
                         f"| {f['p99_ms']:.1f} | {f['errors']} | {ratio[0]} | {ratio[1]} | {cpu} / {wrk} | {ceiling} |")
    lines += ["", "| target | workers | measured | verdict |", "|---|---:|---|---|"]
    for run in runs:
        by = {f["name"]: f for f in run["figures"]}
        cold, asof = by["materialised cold"], by["as-of cold"]
        checks = [(f">= {TARGETS['verdicts_per_s']:.0f} materialised verdicts/s", f"{cold['per_s']:,.0f}/s",
                   cold["per_s"] >= TARGETS["verdicts_per_s"]),
                  (f"materialised p95 < {TARGETS['materialised_p95_ms']:.0f} ms", f"{cold['p95_ms']:.1f} ms",
                   cold["p95_ms"] < TARGETS["materialised_p95_ms"]),
                  (f"as-of p95 < {TARGETS['as_of_p95_ms']:.0f} ms", f"{asof['p95_ms']:.1f} ms",
                   asof["p95_ms"] < TARGETS["as_of_p95_ms"])]
        for name, measured, met in checks:
            lines.append(f"| {name} | {run['workers']} | {measured} | {'met' if met else 'missed'} |")
    return lines


def write_report(out: Path, body: str) -> None:
    text = out.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{out} has no {START} ... {END} section to replace")
    out.write_text(text[:text.index(START)] + body + text[text.index(END) + len(END):], encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.api_wrk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="100k", help="the synthetic graph's parties (100k, 1m, ...)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ownergraph-benchmarks"),
                        help="generated folders, kept between runs; the server logs")
    parser.add_argument("--replace", action="store_true", help="delete a database holding another graph")
    parser.add_argument("--heap", default="3g", help="heap of the Neo4j started for the run")
    parser.add_argument("--pagecache", default="2g", help="page cache of the Neo4j started for the run")
    parser.add_argument("--neo4j-pid", type=int, help="the Neo4j server's pid when NEO4J_URI names one "
                        "(for its CPU time)")
    parser.add_argument("--workers", type=int, nargs="+", default=[2], help="API worker processes, each measured")
    parser.add_argument("--legacy", action="store_true", help="one uvicorn process as `uvicorn --factory` "
                        "runs it, for releases without `serve --workers` (before/after)")
    parser.add_argument("--ping", default="/readyz", help="the endpoint of one trivial Neo4j statement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--requests", type=int, default=20_000, help="at most this many materialised verdicts a probe")
    parser.add_argument("--as-of-requests", type=int, default=5_000, help="at most this many as-of verdicts")
    parser.add_argument("--bare-requests", type=int, default=50_000, help="at most this many /healthz or ping-db")
    parser.add_argument("--warm-ids", type=int, default=16, help="ids of the warm probe, asked again and again")
    parser.add_argument("--duration", type=float, default=20.0, help="at most this many seconds a probe")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up a probe")
    parser.add_argument("--out", type=Path, help="write the Markdown between the api-wrk markers of this file")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--render", type=Path, nargs="+", metavar="JSON",
                        help="only write the Markdown of runs saved by --json (several: one table each)")
    args = parser.parse_args(argv)
    if args.render:
        body = render([json.loads(path.read_text(encoding="utf-8")) for path in args.render])
        print(body)
        if args.out:
            write_report(args.out, body)
        return
    bounded = (0 < args.requests <= 200_000 and 0 < args.as_of_requests <= 200_000
               and 0 < args.bare_requests <= 1_000_000 and 0 < args.duration <= 300 and 0 <= args.warmup <= 60
               and 0 < args.connections <= 256 and 0 < args.threads <= 16 and all(0 < w <= 16 for w in args.workers))
    if not bounded:
        parser.error("bounded runs only: requests <= 200,000 (bare <= 1,000,000), duration <= 300 s, "
                     "connections <= 256, threads <= 16, workers 1..16")
    if not (shutil.which("wrk") or Path("/usr/bin/wrk").exists()):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    from benchmarks.run import environment, label, parse_size

    args.work.mkdir(parents=True, exist_ok=True)
    parties = parse_size(args.size)
    folder = load_rate.folder_for(args.work, parties, args.seed)
    header = (f"synthetic {label(parties)} graph; machine: {load_rate.machine()}; commit {load_rate.commit()}; "
              f"{date.today().isoformat()}")
    command = "python -m benchmarks.api_wrk " + " ".join(argv if argv is not None else sys.argv[1:])
    print(header, flush=True)
    runs = []
    with load_rate.neo4j(args.heap, args.pagecache) as connection, environment(connection):
        neo4j_pid = connection[3] or args.neo4j_pid
        keys = prepare(folder, args.replace)
        offset = 0
        for workers in args.workers:
            log = args.work / f"api-wrk-serve-{workers}.log"
            print(f"== {workers} worker(s); log {log}", flush=True)
            with served(workers, log, args.legacy) as (url, api_pids):
                watch = {"api": api_pids, **({"neo4j": [neo4j_pid]} if neo4j_pid else {})}
                figures = measure(url, watch, keys, offset, args)
            offset += args.requests + args.as_of_requests + 2500 + args.warm_ids
            runs.append({"workers": workers, "figures": figures})
    header += f"; load average {os.getloadavg()[0]:.1f} at the end"
    body = render([{"header": header, "command": command.strip(), "runs": runs}])
    print(body)
    if args.json:
        args.json.write_text(json.dumps({"header": header, "command": command, "runs": runs}, indent=1) + "\n",
                             encoding="utf-8")
    if args.out:
        write_report(args.out, body)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
