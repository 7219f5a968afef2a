"""All benchmarks in one run, written to BENCHMARKS.md.

    python -m benchmarks run --size 1m              # the Vadalog graphs and a 1M-party synthetic graph
    python -m benchmarks run --size 100k --vadalog none --runs 1 --out /tmp/b.md

For every graph (the Vadalog company-control graphs in ../shared/data/vadalog, 2% of companies made
CN-headquartered seeds; and synthetic graphs of benchmarks/synthetic.py of the sizes asked):

1. load rate: the folder loaded into an emptied Neo4j by benchmarks.load_rate (a child process: edges/s,
   peak RSS of the loader); graphs of --loaders-below parties or more are written in bulk instead
   (cypher/bench/: the properties the closure reads), so that a large graph fits a bounded run;
2. full closure per aggregate policy, side by side: the materialised Cypher closure (graph/materialise.py),
   the vectorised one (graph/sparse_closure.py) and the networkx reference (graph/reference.py), medians
   of --runs runs, with ratios, the three held to the same restricted and indeterminate counts, and the
   Cypher time split by statement (a profile, not a guess);
3. single-verdict latency p50/p95/p99: read from the materialised closure, evaluated on demand as of
   another date, and integrated ownership (cn-effective) on demand;
4. integrated ownership of every party (graph/integrated.py over the whole graph);
5. company control of every party (graph/sparse_closure.company_control_all), with the reference's time per
   controller on a sample;
6. memory: resident size of Neo4j after the load, peak resident size of this process.

Graphs of --full-below parties or more get the closure side by side and the load only (a bounded run on
2 cores); BENCHMARKS.md says which measurements each graph got. Results between the markers of
BENCHMARKS.md are replaced; the notes outside them are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks import load_rate
from benchmarks.closure import percentile, write_folder

ROOT = Path(__file__).resolve().parents[1]
VADALOG = ROOT.parent / "shared" / "data" / "vadalog"
START, END = "<!-- results:start -->", "<!-- results:end -->"
AS_OF_OTHER = date(2023, 6, 30)
AGGREGATE = ("cn-majority", "ofac-50", "bis-affiliates")
TARGET_CLOSURE_S = 30.0
TARGET_VS_SPARSE = 5.0
TARGET_VS_REFERENCE = 10.0
TARGET_API_P95_MS = {"materialised": 50.0, "as_of": 300.0}


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k" if n % 1_000 == 0 else str(n)


def rss_mb(pid: int | str = "self") -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn, runs: int):
    """(median seconds, all seconds, last result)."""
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times), times, result


def latencies(fn, keys: list[str]) -> dict:
    ms = []
    for key in keys:
        began = time.perf_counter()
        fn(key)
        ms.append((time.perf_counter() - began) * 1000)
    return {"n": len(ms), "p50": percentile(ms, .5), "p95": percentile(ms, .95), "p99": percentile(ms, .99)}


@dataclass
class Graph:
    name: str
    folder: Path
    kind: str  # vadalog | synthetic
    full: bool  # every measurement, or the closure side by side and the load only
    loader: bool  # loaded by the loaders (load rate measured) or written in bulk (closure properties only)


@dataclass
class Result:
    graph: str
    kind: str
    full: bool
    parties: int = 0
    interests: int = 0
    load: dict = field(default_factory=dict)
    closures: dict = field(default_factory=dict)  # policy -> figures
    latency: dict = field(default_factory=dict)
    integrated: dict = field(default_factory=dict)
    control: dict = field(default_factory=dict)
    memory: dict = field(default_factory=dict)
    api: dict = field(default_factory=dict)  # "materialised" / "as_of" -> benchmarks.api_load report


class TimedStore:
    """A Store whose named statements are timed (the profile of the Cypher closure)."""

    def __init__(self, store, spent: dict):
        self._store, self._spent = store, spent

    def run(self, name: str, **params):
        began = time.perf_counter()
        try:
            return self._store.run(name, **params)
        finally:
            self._spent[name] = self._spent.get(name, 0.0) + time.perf_counter() - began

    def __getattr__(self, name):
        return getattr(self._store, name)


def bulk_write(store, network, batch: int = 10_000) -> dict:
    """The network written with cypher/bench/ (closure properties only, no provenance): for graphs too large
    for a bounded load through the loaders. Returns the time taken."""
    from ownergraph.graph.store import batched

    began = time.perf_counter()
    store.clear()
    store.apply_schema()
    parties = ({"key": p.key, "name": p.name, "kind": p.kind, "country": p.country,
                "nationalities": list(p.nationalities), "lists": sorted({name for name, _, _ in p.listings})}
               for p in network.parties.values())
    for rows in batched(parties, batch):
        store.run("bench/closure_parties", rows=rows)
    parties_s = time.perf_counter() - began
    interests = ({"key": e.key, "owner": e.owner, "owned": e.owned, "type": e.type, "lo": e.lo, "hi": e.hi,
                  "start": e.start, "end": e.end, "counted": e.counted, "share_min": e.share_min,
                  "share_max": e.share_max, "min_open": e.min_open, "max_open": e.max_open,
                  "sources": [s for s, _ in e.sources], "records": [r for _, r in e.sources]}
                 for e in network.edges.values())
    for rows in batched(interests, batch):
        store.run("bench/closure_interests", rows=rows)
    wall = time.perf_counter() - began
    return {"format": "bulk (closure properties only)", "wall_s": wall,
            "parties_per_s": round(len(network.parties) / max(parties_s, 1e-9)),
            "edges_per_s": round(len(network.edges) / max(wall - parties_s, 1e-9)), "loader_peak_rss_mb": None}


@dataclass
class ApiLoad:
    """The API under load: `clients` concurrent clients on loopback, at most `requests` requests and
    `duration` seconds per measurement."""
    clients: int = 32
    requests: int = 3000
    duration: float = 60.0
    sample: int = 1000


def measure_api(keys: list[str], load: ApiLoad) -> dict:
    """Verdicts through `ownergraph serve`'s app in a uvicorn subprocess: read from the materialised
    cn-majority closure (current for today), and as of another date (evaluated on demand)."""
    import asyncio

    from benchmarks import api_load

    ids = random.Random(3).sample(keys, min(load.sample, len(keys)))
    out = {}
    with api_load.served() as url:
        for name, as_of in (("materialised", None), ("as_of", AS_OF_OTHER.isoformat())):
            print(f"   API under load: {name}", flush=True)
            out[name] = asyncio.run(api_load.run(url, ids, "cn-majority", load.clients, load.requests,
                                                 load.duration, 1, None, as_of))
    return out


def measure_graph(g: Graph, connection, runs: int, samples: int, batch_size: int,
                  api: ApiLoad | None = None) -> Result:
    from ownergraph.graph import integrated, materialise, reference, sparse_closure
    from ownergraph.graph.control import COMPANY_CONTROL
    from ownergraph.graph.cypher_engine import evaluate_party
    from ownergraph.graph.evaluate import verdict
    from ownergraph.graph.policy import builtin_policies
    from ownergraph.graph.semantics import Closure, Standing, seed_rule
    from ownergraph.graph.store import connect
    from ownergraph.loaders.memory import network as from_paths
    from ownergraph.settings import Settings

    today = date.today()
    result = Result(g.name, g.kind, g.full)
    print(f"== {g.name}: in-memory network", flush=True)
    began = time.perf_counter()
    network = from_paths([g.folder])
    result.memory["network_build_s"] = time.perf_counter() - began
    result.memory["python_rss_with_network_mb"] = rss_mb()
    print(f"== {g.name}: load ({'loaders' if g.loader else 'bulk'})", flush=True)
    store = connect(Settings())
    if g.loader:
        loaded = load_rate.measure(g.folder, connection, batch_size, [], None, False)
        result.parties, result.interests = loaded["parties"], loaded["interests"]
        result.load = {"format": "csv (loaders)", "edges_per_s": loaded["edges_per_s"],
                       "parties_per_s": loaded["parties_per_s"], "wall_s": loaded["total"]["wall_s"],
                       "loader_peak_rss_mb": loaded["peak_rss_mb"]}
    else:
        result.load = bulk_write(store, network)
        result.parties, result.interests = len(network.parties), len(network.edges)
    server_pid = connection[3]
    result.memory["neo4j_rss_after_load_mb"] = rss_mb(server_pid) if server_pid else None
    policies = builtin_policies()
    try:
        for name in AGGREGATE if g.full and g.kind == "synthetic" else ("cn-majority",):
            policy = policies[name]
            print(f"== {g.name}: closure {name}", flush=True)
            spent: dict[str, float] = {}
            timed = TimedStore(store, spent)
            cy_s, cy_all, done = median_time(lambda: materialise.materialise(timed, policy, today), runs)
            ref_s, ref_all, expected = median_time(lambda: reference.evaluate(network, policy, today), runs)
            began = time.perf_counter()
            pairs = sparse_closure.pairs_from_network(network, policy, today)
            mask, _ = sparse_closure.seed_mask(network, pairs.keys, policy, today)
            pairs_s = time.perf_counter() - began
            sp_s, sp_all, fast = median_time(lambda: sparse_closure.closure_of(pairs, mask, policy), runs)
            ref_counts = {"restricted": 0, "indeterminate": 0}
            for s in expected.standings.values():
                if s.status != "clear":
                    ref_counts[s.status] += 1
            cypher_counts = {"restricted": done.restricted, "indeterminate": done.indeterminate}
            agree = ref_counts == cypher_counts == fast.counts() and fast.statuses() == {
                k: s.status for k, s in expected.standings.items() if s.status != "clear"}
            result.closures[name] = {
                "cypher_s": cy_s, "cypher_runs": cy_all, "sparse_s": sp_s, "sparse_runs": sp_all,
                "sparse_pairs_s": pairs_s, "reference_s": ref_s, "reference_runs": ref_all,
                "restricted": ref_counts["restricted"], "indeterminate": ref_counts["indeterminate"],
                "seeds": int(mask.sum()), "rounds": done.rounds, "agree": agree,
                "cypher_by_statement_s": {k: v / runs for k, v in sorted(spent.items(), key=lambda kv: -kv[1])},
            }
            print(json.dumps(result.closures[name]), flush=True)
        result.memory["neo4j_rss_after_closures_mb"] = rss_mb(server_pid) if server_pid else None
        if api is not None and g.kind == "synthetic":
            print(f"== {g.name}: API under load ({api.clients} clients)", flush=True)
            materialise.materialise(store, policies["cn-majority"], today)  # the closure the API reads
            result.api = measure_api(sorted(network.parties), api)
            print(json.dumps(result.api), flush=True)
        if not g.full:
            return result

        print(f"== {g.name}: single verdicts", flush=True)
        keys = random.Random(1).sample(sorted(network.parties), min(samples, len(network.parties)))
        ids = [k for k in keys]
        cn = policies["cn-majority"]
        materialise.materialise(store, cn, today)  # current for today
        result.latency["materialised"] = latencies(lambda k: verdict(store, k, cn), ids)
        result.latency["as_of"] = latencies(lambda k: verdict(store, k, cn, as_of=AS_OF_OTHER), ids)
        result.latency["integrated"] = latencies(lambda k: evaluate_party(store, k, policies["cn-effective"], today),
                                                 ids[: max(1, samples // 2)])

        print(f"== {g.name}: integrated ownership of every party", flush=True)
        effective = policies["cn-effective"]

        def integrated_all():
            closure = Closure(effective, today)
            seeds = set()
            for key, party in network.parties.items():
                rule = seed_rule(party, effective, today)
                closure.standings[key] = Standing(key, seed=rule)
                if rule:
                    seeds.add(key)
            integrated.apply(network, closure, seeds)
            return closure

        int_s, int_all, closure = median_time(integrated_all, runs)
        statuses = [s.status for s in closure.standings.values()]
        result.integrated = {"seconds": int_s, "runs": int_all, "restricted": statuses.count("restricted"),
                             "indeterminate": statuses.count("indeterminate"),
                             "owned_by_seeds": sum(1 for s in closure.standings.values()
                                                   if not s.seed and (s.effective_hi or 0) > 0)}

        print(f"== {g.name}: company control of every party", flush=True)
        pairs = sparse_closure.pairs_from_network(network, COMPANY_CONTROL, today)
        ctl_s, ctl_all, controlled = median_time(lambda: sparse_closure.company_control_all(pairs, COMPANY_CONTROL),
                                                 runs)
        graph = reference.as_digraph(network, today)
        sample = random.Random(2).sample(pairs.keys, min(10, len(pairs.keys)))
        began = time.perf_counter()
        for key in sample:
            reference.evaluate(network, COMPANY_CONTROL, today, seeds={key: "candidate"}, graph=graph)
        per_seed = (time.perf_counter() - began) / len(sample)
        result.control = {"seconds": ctl_s, "runs": ctl_all, "controllers": len(controlled),
                          "control_pairs": sum(len(sure) for sure, _ in controlled.values()),
                          "possible_pairs": sum(len(possible) for _, possible in controlled.values()),
                          "reference_per_controller_s": per_seed,
                          "reference_estimate_s": per_seed * pairs.size}
    finally:
        store.close()
        result.memory["python_peak_rss_mb"] = peak_mb()
    return result


FORMAT_FILES = {  # real files of the other formats large enough for a rate (../shared/data)
    "ftm (KEK media ownership)": ("ftm", "followthemoney", "derived", "kek.ftm.jsonl"),
}


def measure_format(name: str, path: Path, work: Path, connection, batch_size: int) -> Result:
    """The load rate of one real file of another format (copied beside the work folder for its rejects)."""
    import shutil

    folder = work / f"format-{path.stem}"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, folder / path.name)
    print(f"== {name}: load (loaders)", flush=True)
    loaded = load_rate.measure(folder / path.name, connection, batch_size, [], None, False)
    result = Result(name, "format", False, loaded["parties"], loaded["interests"])
    result.load = {"format": name.split(" ")[0] + " (loaders)", "edges_per_s": loaded["edges_per_s"],
                   "parties_per_s": loaded["parties_per_s"], "wall_s": loaded["total"]["wall_s"]}
    return result


# -- the report -------------------------------------------------------------------------------------

def _ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b > 0 else "n/a"


def render(results: list[Result], header: str, command: str, notes: list[str]) -> str:
    lines = [START, "", f"Generated by `{command}`; {header}.", ""]
    lines += notes
    lines += ["", "### Closure side by side (materialised Cypher, vectorised scipy, networkx reference)", "",
              "Seconds, medians of the runs. Cypher: `graph/materialise.py` over the loaded graph (rounds, "
              "marks, `Verdict` nodes, the version switch). scipy: `graph/sparse_closure.py` on pair arrays "
              "(building them from the in-memory network takes the extra time in brackets). Reference: "
              "`graph/reference.py` from the in-memory network.", "",
              "| graph | policy | parties | interests | seeds | Cypher s | scipy s | reference s | Cypher / scipy "
              "| reference / Cypher | reference / scipy | restricted | indeterminate | rounds | all three agree |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        for name, c in r.closures.items():
            lines.append(
                f"| {r.graph} | {name} | {r.parties:,} | {r.interests:,} | {c['seeds']:,} | {c['cypher_s']:.2f} "
                f"| {c['sparse_s']:.3f} (+{c['sparse_pairs_s']:.1f}) | {c['reference_s']:.2f} "
                f"| {_ratio(c['cypher_s'], c['sparse_s'])} | {_ratio(c['reference_s'], c['cypher_s'])} "
                f"| {_ratio(c['reference_s'], c['sparse_s'])} | {c['restricted']:,} | {c['indeterminate']:,} "
                f"| {c['rounds']} | {'yes' if c['agree'] else 'NO'} |")
    lines += ["", "Where the Cypher closure spends its time (seconds per run, by named statement, cn-majority):", "",
              "| graph | statements |", "|---|---|"]
    for r in results:
        c = r.closures.get("cn-majority")
        if c:
            parts = ", ".join(f"`{k}` {v:.2f}" for k, v in c["cypher_by_statement_s"].items() if v >= 0.005)
            lines.append(f"| {r.graph} | {parts} |")
    lines += ["", "### Load rate", "", "One load per graph (not a median): `benchmarks/load_rate.py` in a child process, "
              "into an emptied database (its wall time includes the quality report); or the bulk writer of "
              "`cypher/bench/`. The loader's peak RSS "
              "is not shown: Linux keeps `ru_maxrss` across fork and exec, so a loader started from this process "
              "would report this process's size; `python -m benchmarks.load_rate` run alone measures it.", "",
              "| graph | format | parties | interests | wall s | parties/s | interests (edges)/s |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for r in results:
        d = r.load
        lines.append(f"| {r.graph} | {d['format']} | {r.parties:,} | {r.interests:,} | {d['wall_s']:.1f} "
                     f"| {d['parties_per_s']:,} | {d['edges_per_s']:,} |")
    loaded = [r for r in results if r.api]
    if loaded:
        first = loaded[0].api["materialised"]
        lines += ["", "### The API under load", "",
                  f"`benchmarks/api_load.py`: {first['clients']} concurrent clients on loopback reading `GET "
                  "/v1/parties/{id}/verdict?policy=cn-majority` (explanation included) for parties drawn from "
                  f"{first['distinct_ids']:,} sampled ids, through the app served by uvicorn (one process) on the "
                  "same machine as Neo4j and the clients; materialised: read from the closure; as of "
                  f"{AS_OF_OTHER}: evaluated on demand. Each measurement is bounded in requests and seconds.", "",
                  "| graph | verdicts | requests | seconds | requests/s | p50 ms | p95 ms | p99 ms | errors | p95 target |",
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for r in loaded:
            for name, a in r.api.items():
                target = TARGET_API_P95_MS[name]
                lat = a["latency_ms"]
                verdict = "met" if lat["p95"] < target else f"missed, {lat['p95'] / target:.1f}x"
                lines.append(f"| {r.graph} | {name.replace('_', '-')} | {a['requests']:,} | {a['seconds']:.1f} "
                             f"| {a['throughput_per_s']:,} | {lat['p50']:.1f} | {lat['p95']:.1f} | {lat['p99']:.1f} "
                             f"| {a['error_count']} | < {target:.0f} ms: {verdict} |")
    full = [r for r in results if r.full]
    if full:
        lines += ["", "### Single-verdict latency (ms)", "",
                  "`graph.evaluate.verdict` per party, explanation included: read from the materialised "
                  f"cn-majority closure; evaluated on demand as of {AS_OF_OTHER} (the cone read and the rounds in "
                  "Cypher); integrated ownership (cn-effective) on demand.", "",
                  "| graph | samples | materialised p50 / p95 / p99 | as-of p50 / p95 / p99 | integrated p50 / p95 / p99 |",
                  "|---|---:|---|---|---|"]
        for r in full:
            m, a, i = r.latency["materialised"], r.latency["as_of"], r.latency["integrated"]
            lines.append(f"| {r.graph} | {m['n']} | {m['p50']:.1f} / {m['p95']:.1f} / {m['p99']:.1f} "
                         f"| {a['p50']:.1f} / {a['p95']:.1f} / {a['p99']:.1f} "
                         f"| {i['p50']:.1f} / {i['p95']:.1f} / {i['p99']:.1f} |")
        lines += ["", "### Integrated ownership and company control of every party", "",
                  "Integrated: cn-effective over the whole in-memory graph (`graph/integrated.py`: sparse LU, or "
                  "the capped iteration where upper ends sum past 100%). Company control: for every party x, the "
                  "parties x controls (closure seeded with x alone, > 50%, shareholding and voting rights), "
                  "`graph/sparse_closure.company_control_all`; the reference's time per controller is measured "
                  "on 10 parties and multiplied by the number of parties (an estimate, marked ~).", "",
                  "| graph | integrated s | owned by seeds | restricted | indeterminate | company control s "
                  "| controllers | (controller, controlled) pairs | may control | reference ~s |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in full:
            i, c = r.integrated, r.control
            lines.append(f"| {r.graph} | {i['seconds']:.2f} | {i['owned_by_seeds']:,} | {i['restricted']:,} "
                         f"| {i['indeterminate']:,} | {c['seconds']:.2f} | {c['controllers']:,} | {c['control_pairs']:,} "
                         f"| {c['possible_pairs']:,} | ~{c['reference_estimate_s']:.0f} |")
    results = [r for r in results if r.kind != "format"]
    lines += ["", "### Memory", "",
              "| graph | Neo4j RSS after load MB | after closures MB | in-memory network build s | this process RSS with "
              "network MB | this process peak RSS so far MB |", "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        m = r.memory

        def mb(v):
            return f"{v:,.0f}" if v is not None else "n/a"

        lines.append(f"| {r.graph} | {mb(m.get('neo4j_rss_after_load_mb'))} | {mb(m.get('neo4j_rss_after_closures_mb'))} "
                     f"| {m.get('network_build_s', 0):.1f} | {mb(m.get('python_rss_with_network_mb'))} "
                     f"| {mb(m.get('python_peak_rss_mb'))} |")
    lines += ["", "### Targets", "", "| target | graph | measured | verdict |", "|---|---|---|---|"]
    for r in results:
        c = r.closures.get("cn-majority")
        if not c or r.kind != "synthetic":
            continue
        checks = [
            (f"closure < {TARGET_CLOSURE_S:.0f} s", f"{c['cypher_s']:.1f} s", c["cypher_s"] < TARGET_CLOSURE_S,
             f"{c['cypher_s'] / TARGET_CLOSURE_S:.1f}x the target"),
            (f"within {TARGET_VS_SPARSE:.0f}x of scipy", f"{c['cypher_s'] / c['sparse_s']:.0f}x",
             c["cypher_s"] <= TARGET_VS_SPARSE * c["sparse_s"],
             f"{c['cypher_s'] / (TARGET_VS_SPARSE * c['sparse_s']):.0f}x over"),
            (f">= {TARGET_VS_REFERENCE:.0f}x faster than the reference", f"{c['reference_s'] / c['cypher_s']:.2f}x",
             c["reference_s"] >= TARGET_VS_REFERENCE * c["cypher_s"],
             f"{TARGET_VS_REFERENCE * c['cypher_s'] / c['reference_s']:.0f}x short"),
        ]
        for target, measured, met, miss in checks:
            lines.append(f"| {target} | {r.graph} | {measured} | {'met' if met else 'missed, ' + miss} |")
    lines += ["", END]
    return "\n".join(lines)


def write_report(out: Path, body: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if START in text and END in text:
        text = text[:text.index(START)] + body + text[text.index(END) + len(END):]
    else:
        text = "# Benchmarks\n\n" + body + "\n" + text
    out.write_text(text, encoding="utf-8")


@contextmanager
def environment(connection):
    uri, user, secret, _ = connection
    saved = {k: os.environ.get(k) for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    os.environ.update(NEO4J_URI=uri, NEO4J_USER=user, NEO4J_PASSWORD=secret or "")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", nargs="*", default=["100k"], help="synthetic graph sizes (10k .. 5m)")
    parser.add_argument("--vadalog", nargs="*", default=["10k", "50k", "100k"], help="Vadalog graphs, or none")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-runs", type=int, default=2, help="runs on the graphs that get the closure only")
    parser.add_argument("--samples", type=int, default=100, help="parties per latency measurement")
    parser.add_argument("--full-below", default="1m", help="graphs this size or more: closure and load only")
    parser.add_argument("--loaders-below", default="100k", help="graphs smaller than this are loaded by the "
                        "loaders (load rate measured); larger ones are written in bulk (closure properties only)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ownergraph-benchmarks"),
                        help="generated folders, kept between runs")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--heap", default="3g")
    parser.add_argument("--pagecache", default="2g")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--no-formats", dest="formats", action="store_false",
                        help="skip the load rate of the other formats' real files")
    parser.add_argument("--api-clients", type=int, default=32, help="concurrent API clients (0: no API load)")
    parser.add_argument("--api-requests", type=int, default=3000, help="at most this many requests per measurement")
    parser.add_argument("--api-duration", type=float, default=60.0, help="at most this many seconds per measurement")
    parser.add_argument("--render", type=Path, metavar="RESULTS_JSONL",
                        help="only write BENCHMARKS.md again from the results a run saved (--work/results.jsonl)")
    args = parser.parse_args(argv)
    if args.render:
        lines = args.render.read_text(encoding="utf-8").splitlines()
        saved = [json.loads(line) for line in lines if line.startswith("{")]
        meta = next(json.loads(line[5:]) for line in lines if line.startswith("#run "))
        write_report(args.out, render([Result(**r) for r in saved], meta["header"], meta["command"], meta["notes"]))
        print(f"wrote {args.out}")
        return

    sys.setrecursionlimit(10_000)
    if not (0 <= args.api_clients <= 256 and 0 < args.api_requests <= 100_000 and 0 < args.api_duration <= 600):
        parser.error("API load must be bounded: clients <= 256, requests <= 100,000, duration <= 600 s")
    api = ApiLoad(args.api_clients, args.api_requests, args.api_duration) if args.api_clients else None
    full_below, load_below = parse_size(args.full_below), parse_size(args.loaders_below)
    args.work.mkdir(parents=True, exist_ok=True)
    graphs = []
    for size in args.size:
        n = parse_size(size)
        graphs.append(Graph(f"synthetic {label(n)}", load_rate.folder_for(args.work, n, args.seed), "synthetic",
                            n < full_below, n < load_below))
    for size in [] if args.vadalog == ["none"] else args.vadalog:
        source = VADALOG / f"company_graph_{size}.csv"
        folder = args.work / f"vadalog-{size}-seed{args.seed}"
        if not (folder / "ownership.csv").exists():
            write_folder(source, folder, args.seed, 0.02)
        graphs.append(Graph(f"vadalog {size}", folder, "vadalog", True, parse_size(size) < load_below))
    header = f"machine: {load_rate.machine()}; commit {load_rate.commit()}; {date.today().isoformat()}"
    print(header, flush=True)
    results = []
    command = "python -m benchmarks run " + " ".join(argv if argv is not None else sys.argv[2:])
    notes = [f"Runs per figure: {args.runs}. Graphs of {label(full_below)} parties or more get the closure side by "
             "side only (a bounded run on 2 cores shared with other work). Graphs of "
             f"{label(load_below)} parties or more are written into Neo4j in bulk by `cypher/bench/` (the "
             "properties the closure reads, no provenance) rather than by the loaders, whose rate is measured "
             "on the smaller graphs."]
    notes[0] = notes[0].replace(f"Runs per figure: {args.runs}.",
                                f"Runs per figure: {args.runs} ({args.big_runs} on the graphs that get the closure only).")
    saved = args.work / "results.jsonl"
    saved.write_text("#run " + json.dumps({"header": header, "command": command.strip(), "notes": notes}) + "\n",
                     encoding="utf-8")
    with load_rate.neo4j(args.heap, args.pagecache) as connection, environment(connection):
        for g in graphs:
            runs = args.runs if g.full else args.big_runs
            results.append(measure_graph(g, connection, runs, args.samples, args.batch_size, api))
            with saved.open("a") as handle:
                handle.write(json.dumps(results[-1].__dict__, default=str) + "\n")
            write_report(args.out, render(results, header, command.strip(), notes))  # each graph as it is done
            print(f"wrote {args.out}", flush=True)
        for name, parts in FORMAT_FILES.items() if args.formats else ():
            path = VADALOG.parent.joinpath(*parts)
            if path.exists():
                results.append(measure_format(name, path, args.work, connection, args.batch_size))
                with saved.open("a") as handle:
                    handle.write(json.dumps(results[-1].__dict__, default=str) + "\n")
                write_report(args.out, render(results, header, command.strip(), notes))
