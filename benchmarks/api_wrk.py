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
- as-of verdicts (`&as_of=2023-06-30`, evaluated on demand over the party's cone), distinct ids;
- one client (wrk with 1 connection and 1 thread, fewer requests): materialised verdicts of clear parties
  and of restricted ones apart (the party ids split by their materialised verdict, cypher/bench/
  closure_status), and as-of verdicts: the latency of one request when nothing else waits;
- screening over HTTP (`POST /v1/screen`, one JSON request timed from Python): 2,000 identifier rows (party
  keys) and 500 name rows (names and countries of parties of the graph, cypher/bench/party_names), each
  3 times on other rows, rows/s of the median (the server is started with OWNERGRAPH_API_MAX_SCREEN_ROWS
  raised to the rows of a request).

Once a run, after the servers are stopped: a 10,000-row CSV (ref, id, name, country; 80% party ids, 20%
names) through `ownergraph screen FILE --out OUT`, a subprocess on the same Neo4j, wall seconds included
its start.

Each measurement is bounded in requests (every wrk thread stops after its share) and seconds (wrk -d),
follows a short warm-up on other ids, and reports requests/s, p50/p95/p99 latency, errors (non-200
answers, timeouts, socket errors), verdicts/s as a ratio of the two bare limits (not for one client), and
the CPU time each request cost the API processes, Neo4j and wrk (from /proc and wait4: on a shared machine
CPU per request says more than wall time). Only loopback is targeted. `--render` draws what a saved file
holds (files of releases without the one-client, screening or CLI figures too). Prints Markdown for BENCHMARKS.md (`--out` writes it
between the `api-wrk` markers) and `--json` keeps the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
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
TARGETS = {"verdicts_per_s": 400.0, "materialised_p95_ms": 50.0, "as_of_p95_ms": 300.0, "single_p50_ms": 3.0,
           "identifier_rows_per_s": 200.0, "name_rows_per_s": 50.0, "cli_s": 60.0}
SINGLE = {"materialised 1 client, clear": "clear", "materialised 1 client, restricted": "restricted"}
ONE_CLIENT = (*SINGLE, "as-of 1 client")
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

def prepare(folder: Path, replace: bool) -> tuple[list[str], dict[str, str]]:
    """The folder's graph in the configured Neo4j (written in bulk unless there already) with a current
    cn-majority closure for today; returns every party key and the status of each party the closure does
    not find clear (restricted, indeterminate)."""
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
        statuses = {row["key"]: row["status"] for row in store.run("bench/closure_status", policy=POLICY)}
        return [row["key"] for row in store.run("bench/party_keys")], statuses


def names_of(keys: list[str]) -> list[dict]:
    """The name and country of each of the parties that has a name, in the order of `keys`."""
    from ownergraph.graph.store import opened
    from ownergraph.settings import Settings

    with opened(Settings()) as store:
        found = {row["key"]: row for row in store.run("bench/party_names", keys=keys)}
    return [found[k] for k in keys if k in found]


class Pool:
    """Party keys in a seeded random order, handed out in turn: no key twice until the pool wraps."""

    def __init__(self, keys: list[str], seed: int):
        self.keys = random.Random(seed).sample(keys, len(keys))
        self.offset = 0

    def take(self, n: int, escape: bool = True) -> list[str]:
        if not self.keys:
            return []
        out = [self.keys[(self.offset + i) % len(self.keys)] for i in range(n)]
        self.offset += n
        return [quote(k, safe="") for k in out] if escape else out


# -- the server ---------------------------------------------------------------------------------------

@contextmanager
def served(workers: int, log: Path, legacy: bool, timeout: float = 120, env: dict[str, str] | None = None):
    """`ownergraph serve --workers N` on a free loopback port (or, with `legacy`, one uvicorn process as
    releases before `--workers` ran it), on the settings of the environment (or `env`); yields (url, pids)."""
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
        process = subprocess.Popen(cmd, stdout=sink, stderr=sink, cwd=os.getcwd(), env=env)
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


def measure(url: str, pids: dict[str, list[int]], pools: dict[str, Pool], args) -> list[dict]:
    """Warm-up, then the bare limits and the verdicts, each bounded, then one client alone; returns one
    figure set per probe."""
    take = pools["all"].take
    verdict = "/v1/parties/"
    materialised, as_of = f"/verdict?policy={POLICY}", f"/verdict?policy={POLICY}&as_of={AS_OF_OTHER}"
    status, body = _get(f"{url}{verdict}{quote(pools['all'].keys[0], safe='')}{materialised}")
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
    alone = [Probe(name, verdict, materialised, pools[kind].take(args.single_requests), args.single_requests)
             for name, kind in SINGLE.items() if pools[kind].keys]
    alone.append(Probe("as-of 1 client", verdict, as_of, take(args.single_as_of_requests), args.single_as_of_requests))
    out = []
    for i, probe in enumerate(probes + alone):
        one = i >= len(probes)
        figures = run_wrk(url, probe, args.single_duration if one else args.duration, 1 if one else args.connections,
                          1 if one else args.threads, args.work, pids)
        print(json.dumps(figures), flush=True)
        out.append(figures)
    return out


def post_json(url: str, rows: list[dict], timeout: float) -> tuple[int, bytes, float]:
    """One POST of a JSON body on loopback: (status, body, seconds from sending to the whole answer)."""
    request = urllib.request.Request(url, data=json.dumps(rows).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, body, time.perf_counter() - began


def screening(url: str, pids: dict[str, list[int]], id_rows: list[list[dict]], name_rows: list[list[dict]],
              timeout: float) -> list[dict]:
    """`POST /v1/screen` of each request of identifier rows, then of name rows (one request at a time);
    per kind the seconds of each request, rows/s of the median, how the rows matched and the CPU time."""
    out = []
    for kind, requests in (("identifier", id_rows), ("name", name_rows)):
        seconds: list[float] = []
        matches: Counter[str] = Counter()
        restricted = errors = 0
        before = {name: tree_cpu_s(p) for name, p in pids.items()}
        for rows in requests:
            status, body, took = post_json(f"{url}/v1/screen?policy={POLICY}", rows, timeout)
            if status != 200:
                raise SystemExit(f"screening {len(rows)} {kind} rows failed ({status}): {body[:500]!r}")
            results = json.loads(body)["results"]
            if len(results) != len(rows):
                raise SystemExit(f"screening {len(rows)} {kind} rows gave {len(results)} results")
            seconds.append(round(took, 3))
            matches.update(r["match"] for r in results)
            restricted += sum(1 for r in results if (r.get("verdict") or {}).get("verdict") == "restricted")
            errors += sum(1 for r in results if r.get("error"))
        after = {name: tree_cpu_s(p) for name, p in pids.items()}
        rows_n = len(requests[0]) if requests else 0
        median = sorted(seconds)[len(seconds) // 2] if seconds else 0.0
        figures = {"kind": kind, "rows": rows_n, "requests": len(seconds), "seconds": seconds, "median_s": median,
                   "rows_per_s": round(rows_n / median, 1) if median else 0.0, "matches": dict(matches),
                   "restricted": restricted, "errors": errors,
                   "cpu_s": {name: round(after[name] - before[name], 2) for name in pids}}
        print(json.dumps(figures), flush=True)
        out.append(figures)
    return out


def screen_cli(work: Path, rows: list[dict], pid: int | None, timeout: float) -> dict:
    """`ownergraph screen FILE --out OUT` of the rows (a CSV of ref, id, name, country) in a subprocess on
    the Neo4j of the environment: wall seconds (the process's start included), its CPU time and Neo4j's,
    and how the rows matched (read back from OUT)."""
    path, out = work / f"screen-{len(rows)}.csv", work / f"screen-{len(rows)}-results.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["ref", "id", "name", "country"])
        writer.writeheader()
        writer.writerows(rows)
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "ownergraph.cli", "screen", str(path), "--out", str(out)]
    neo4j_before = cpu_s(pid) if pid else 0.0
    with tempfile.TemporaryFile("w+", dir=work) as output:
        began = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=output, stderr=subprocess.STDOUT, text=True, cwd=os.getcwd())
        while True:
            child, code, usage = os.wait4(process.pid, os.WNOHANG)
            if child:
                break
            if time.perf_counter() - began > timeout:
                process.kill()
                process.wait()
                raise SystemExit(f"`ownergraph screen` of {len(rows):,} rows did not end in {timeout:.0f} s")
            time.sleep(0.05)
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(code)
        output.seek(0)
        said = output.read()
    if process.returncode != 0 or not out.exists():
        raise SystemExit(f"`{' '.join(cmd)}` failed ({process.returncode}):\n{said[-2000:]}")
    with out.open(encoding="utf-8", newline="") as handle:
        results = list(csv.DictReader(handle))
    if len(results) != len(rows):
        raise SystemExit(f"`ownergraph screen` of {len(rows):,} rows wrote {len(results):,} results ({out})")
    figures = {"rows": len(rows), "identifier_rows": sum(1 for r in rows if r.get("id")),
               "name_rows": sum(1 for r in rows if not r.get("id")), "wall_s": round(wall, 2),
               "rows_per_s": round(len(rows) / wall, 1), "matches": dict(Counter(r["match"] for r in results)),
               "restricted": sum(1 for r in results if r["verdict"] == "restricted"),
               "errors": sum(1 for r in results if r["error"]),
               "cpu_s": {"cli": round(usage.ru_utime + usage.ru_stime, 2),
                         **({"neo4j": round(cpu_s(pid) - neo4j_before, 2)} if pid else {})}}
    print(json.dumps(figures), flush=True)
    return figures


# -- the report -----------------------------------------------------------------------------------------

def render(reports: list[dict]) -> str:
    """The Markdown of one or more runs ({header, command, runs, cli}), each its own tables, between the
    markers; a run saved without the one-client, screening or CLI figures shows what it holds."""
    lines = [START]
    for report in reports:
        lines += table(report["runs"], report["header"], report["command"], report.get("cli"))
    return "\n".join(lines + ["", END])


def table(runs: list[dict], header: str, command: str, cli: dict | None = None) -> list[str]:
    lines = ["", f"Generated by `{command}`; {header}.", "",
             "| workers | what | distinct ids | requests | s | requests/s | p50 ms | p95 ms | p99 ms | errors "
             "| / healthz | / ping-db | CPU ms per request: API / Neo4j / wrk | 2-core ceiling /s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for run in runs:
        by = {f["name"]: f for f in run["figures"]}
        for f in run["figures"]:
            ratio = ("", "")
            if f["name"] not in ("healthz", "ping-db", *ONE_CLIENT):
                ratio = (f"{f['per_s'] / by['healthz']['per_s']:.2f}", f"{f['per_s'] / by['ping-db']['per_s']:.2f}")
            cpu = " / ".join(f"{1000 * f['cpu_s'][k] / max(f['requests'], 1):.2f}" if k in f["cpu_s"] else "n/a"
                             for k in ("api", "neo4j"))
            wrk = f"{1000 * f['wrk_cpu_s'] / max(f['requests'], 1):.2f}"
            ceiling = f"{f['ceiling_per_s']:,}" if f.get("ceiling_per_s") else "n/a"
            lines.append(f"| {run['workers']} | {f['name']} | {f['distinct_ids'] or ''} | {f['requests']:,} "
                         f"| {f['seconds']:.1f} | {f['per_s']:,.0f} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} "
                         f"| {f['p99_ms']:.1f} | {f['errors']} | {ratio[0]} | {ratio[1]} | {cpu} / {wrk} | {ceiling} |")
    screened = [(run["workers"], s) for run in runs for s in run.get("screening", [])]
    if screened:
        lines += ["", "Screening over HTTP (`POST /v1/screen`, JSON, one request at a time):", "",
                  "| workers | rows | requests | s each | rows/s (median) | matched: identifier / name / ambiguous "
                  "/ none | restricted | errors | CPU ms per row: API / Neo4j |",
                  "|---:|---|---:|---|---:|---|---:|---:|---|"]
        for workers, s in screened:
            rows = s["rows"] * max(s["requests"], 1)
            cpu = " / ".join(f"{1000 * s['cpu_s'][k] / rows:.2f}" if k in s["cpu_s"] else "n/a" for k in ("api", "neo4j"))
            lines.append(f"| {workers} | {s['rows']:,} {s['kind']} | {s['requests']} "
                         f"| {', '.join(f'{x:.2f}' for x in s['seconds'])} | {s['rows_per_s']:,.0f} "
                         f"| {_matches(s['matches'])} | {s['restricted']:,} | {s['errors']} | {cpu} |")
    if cli:
        cpu = " / ".join(f"{1000 * cli['cpu_s'][k] / max(cli['rows'], 1):.2f}" if k in cli["cpu_s"] else "n/a"
                         for k in ("cli", "neo4j"))
        lines += ["", f"`ownergraph screen FILE --out OUT` of a {cli['rows']:,}-row CSV ({cli['identifier_rows']:,} "
                  f"party ids, {cli['name_rows']:,} names): {cli['wall_s']:.1f} s wall ({cli['rows_per_s']:,.0f} "
                  f"rows/s, the process's start included); matched {_matches(cli['matches'])} (identifier / name / "
                  f"ambiguous / none), {cli['restricted']:,} restricted, {cli['errors']} errors; CPU ms per row: "
                  f"CLI / Neo4j {cpu}."]
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
        for name, kind in SINGLE.items():
            if name in by:
                checks.append((f"single-client materialised p50 < {TARGETS['single_p50_ms']:g} ms, {kind}",
                               f"{by[name]['p50_ms']:.2f} ms", by[name]["p50_ms"] < TARGETS["single_p50_ms"]))
        for s in run.get("screening", []):
            least = TARGETS[f"{s['kind']}_rows_per_s"]
            checks.append((f">= {least:.0f} {s['kind']} rows/s (screening)", f"{s['rows_per_s']:,.0f}/s",
                           s["rows_per_s"] >= least))
        for name, measured, met in checks:
            lines.append(f"| {name} | {run['workers']} | {measured} | {'met' if met else 'missed'} |")
    if cli:
        met = cli["wall_s"] < TARGETS["cli_s"]
        verdict = ("met" if met else "missed") if cli["rows"] >= 10_000 else "not measured (fewer rows)"
        lines.append(f"| 10,000-row CSV through `ownergraph screen` < {TARGETS['cli_s']:.0f} s | | "
                     f"{cli['rows']:,} rows in {cli['wall_s']:.1f} s | {verdict} |")
    return lines


def _matches(counts: dict[str, int]) -> str:
    return " / ".join(f"{counts.get(k, 0):,}" for k in ("identifier", "name", "ambiguous", "none"))


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
    parser.add_argument("--single-requests", type=int, default=2_000,
                        help="at most this many materialised verdicts of one client, clear and restricted each")
    parser.add_argument("--single-as-of-requests", type=int, default=300, help="at most this many as-of verdicts "
                        "of one client")
    parser.add_argument("--single-duration", type=float, default=60.0, help="at most this many seconds a "
                        "one-client probe")
    parser.add_argument("--screen-id-rows", type=int, default=2_000, help="identifier rows of a screening request")
    parser.add_argument("--screen-name-rows", type=int, default=500, help="name rows of a screening request")
    parser.add_argument("--screen-repeats", type=int, default=3, help="screening requests of each kind (other rows)")
    parser.add_argument("--cli-rows", type=int, default=10_000, help="rows of the CSV through `ownergraph screen` "
                        "(0: not run)")
    parser.add_argument("--cli-name-share", type=float, default=0.2, help="share of the CSV's rows given by name")
    parser.add_argument("--screen-timeout", type=float, default=600.0, help="at most this many seconds a "
                        "screening request or the CLI")
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
               and 0 < args.connections <= 256 and 0 < args.threads <= 16 and all(0 < w <= 16 for w in args.workers)
               and 0 < args.single_requests <= 20_000 and 0 < args.single_as_of_requests <= 5_000
               and 0 < args.single_duration <= 300 and 0 < args.screen_id_rows <= 10_000
               and 0 < args.screen_name_rows <= 10_000 and 0 < args.screen_repeats <= 9
               and 0 <= args.cli_rows <= 100_000 and 0 <= args.cli_name_share <= 1 and 0 < args.screen_timeout <= 1800)
    if not bounded:
        parser.error("bounded runs only: requests <= 200,000 (bare <= 1,000,000), duration <= 300 s, "
                     "connections <= 256, threads <= 16, workers 1..16; one client: requests <= 20,000 (as-of "
                     "<= 5,000), duration <= 300 s; screening: rows <= 10,000 a request, repeats <= 9, CLI rows "
                     "<= 100,000, timeout <= 1,800 s")
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
    cli = None
    rows_allowed = max(1000, args.screen_id_rows, args.screen_name_rows)  # the server's default is 1,000
    with load_rate.neo4j(args.heap, args.pagecache) as connection, environment(connection):
        serve_env = dict(os.environ, OWNERGRAPH_API_MAX_SCREEN_ROWS=str(rows_allowed))  # NEO4J_URI set
        neo4j_pid = connection[3] or args.neo4j_pid
        keys, statuses = prepare(folder, args.replace)
        pools = {"all": Pool(keys, args.seed),
                 "clear": Pool([k for k in keys if k not in statuses], args.seed + 1),
                 "restricted": Pool([k for k in keys if statuses.get(k) == "restricted"], args.seed + 2),
                 "screen": Pool(keys, args.seed + 3)}
        print(f"{len(keys):,} parties: {len(pools['clear'].keys):,} clear, {len(pools['restricted'].keys):,} "
              f"restricted, {len(keys) - len(pools['clear'].keys) - len(pools['restricted'].keys):,} indeterminate "
              f"under {POLICY}", flush=True)
        cli_names = round(args.cli_rows * args.cli_name_share)
        wanted = len(args.workers) * args.screen_repeats * args.screen_name_rows + cli_names
        named = iter(names_of(pools["screen"].take(wanted, escape=False)))

        def name_rows(n: int) -> list[dict]:
            return [{"ref": f"n{i}", "name": r["name"], "country": r["country"]} for i, r in zip(range(n), named)]

        for workers in args.workers:
            log = args.work / f"api-wrk-serve-{workers}.log"
            print(f"== {workers} worker(s); log {log}", flush=True)
            with served(workers, log, args.legacy, env=serve_env) as (url, api_pids):
                watch = {"api": api_pids, **({"neo4j": [neo4j_pid]} if neo4j_pid else {})}
                figures = measure(url, watch, pools, args)
                id_rows = [[{"ref": f"i{i}", "id": k} for i, k in enumerate(pools["screen"].take(args.screen_id_rows,
                                                                                                  escape=False))]
                           for _ in range(args.screen_repeats)]
                by_name = [name_rows(args.screen_name_rows) for _ in range(args.screen_repeats)]
                screened = screening(url, watch, id_rows, by_name, args.screen_timeout)
            runs.append({"workers": workers, "figures": figures, "screening": screened})
        if args.cli_rows:
            print(f"== `ownergraph screen` of {args.cli_rows:,} rows", flush=True)
            rows = [{"ref": f"n{i}", "id": "", "name": r["name"], "country": r["country"] or ""}
                    for i, r in enumerate(name_rows(cli_names))]
            rows += [{"ref": f"i{i}", "id": k, "name": "", "country": ""}
                     for i, k in enumerate(pools["screen"].take(args.cli_rows - len(rows), escape=False))]
            random.Random(args.seed).shuffle(rows)
            cli = screen_cli(args.work, rows, neo4j_pid, args.screen_timeout)
    header += f"; load average {os.getloadavg()[0]:.1f} at the end"
    body = render([{"header": header, "command": command.strip(), "runs": runs, "cli": cli}])
    print(body)
    if args.json:
        args.json.write_text(json.dumps({"header": header, "command": command, "runs": runs, "cli": cli},
                                        indent=1) + "\n", encoding="utf-8")
    if args.out:
        write_report(args.out, body)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
