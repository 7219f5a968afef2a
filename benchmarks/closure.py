"""Closure time on the Vadalog company-control graphs, Cypher engine against the networkx reference.

    python -m benchmarks.closure --graph ../shared/data/vadalog/company_graph_100k.csv --runs 3

The edge list (StartId,EndId,Weight; a weight is a fraction) becomes a SPEC.md §5 CSV folder: StartId
holds Weight*100 % of EndId; a seeded 2% of the companies are headquartered in CN (the seeds). It is
loaded into a Neo4j (NEO4J_URI, or a local server started for the run), the cn-majority closure is
materialised (Cypher) and computed by the reference engine; both must find the same restricted and
indeterminate parties. Single-verdict latencies (materialised and on demand) are sampled too.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import statistics
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path


def write_folder(edges: Path, out: Path, seed: int, seed_share: float, variety: bool = False) -> tuple[int, int]:
    """The edge list as a CSV folder. With `variety`, some edges are restated the way registries give them:
    a PSC band with an exclusive lower end, a 30-point range around the share, a board appointment (control), a stake that
    ended in 2020 (out of force today)."""
    rng = random.Random(seed)
    nodes: set[str] = set()
    rows = []
    with edges.open() as handle:
        for fields in csv.reader(handle):
            if not fields or not fields[0].strip().isdigit():
                continue  # a header row
            owner, owned, weight = fields[0].strip(), fields[1].strip(), fields[2].strip()
            nodes.update((owner, owned))
            share = min(100.0, float(weight) * 100)
            text = f"{share:.6f}".rstrip("0").rstrip(".")
            roll = rng.random() if variety else 1.0
            if roll < 0.05:
                low = min(75, int(share // 25) * 25)
                rows.append((owner, owned, "", f">{low}", str(low + 25), "shareholding", ""))
            elif roll < 0.10:
                low = max(0, int(share) - 15)
                rows.append((owner, owned, "", str(low), str(min(100, low + 30)), "shareholding", ""))
            elif roll < 0.13:
                rows.append((owner, owned, "", "", "", "appointment-of-board", ""))
            elif roll < 0.16:
                rows.append((owner, owned, text, "", "", "shareholding", "2020-01-01"))
            else:
                rows.append((owner, owned, text, "", "", "shareholding", ""))
    out.mkdir(parents=True, exist_ok=True)
    with (out / "entities.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "kind", "jurisdiction", "headquarters"])
        for node in sorted(nodes, key=int):
            hq = "CN" if rng.random() < seed_share else "DE"
            writer.writerow([node, f"Company {node}", "company", hq, hq])
    with (out / "ownership.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["owner", "owned", "share", "share_min", "share_max", "interest", "end"])
        writer.writerows(rows)
    return len(nodes), len(rows)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", type=Path, default=Path("../shared/data/vadalog/company_graph_100k.csv"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seed-share", type=float, default=0.02)
    args = parser.parse_args()

    from ownergraph.graph import cypher_engine, materialise, reference, server
    from ownergraph.graph.evaluate import verdict
    from ownergraph.graph.policy import builtin_policies
    from ownergraph.graph.store import connect
    from ownergraph.loaders.memory import network as from_paths
    from ownergraph.loaders.run import load
    from ownergraph.settings import Settings

    policy = builtin_policies()["cn-majority"]
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / args.graph.stem
        parties, edges = write_folder(args.graph, folder, args.seed, args.seed_share)
        print(f"{args.graph.name}: {parties} parties, {edges} edges")
        settings = Settings(data_dir=Path(tmp) / "db", bolt_port=server.free_port()) if not os.environ.get("NEO4J_URI") else Settings()
        if not settings.external:
            began = time.monotonic()
            server.start(settings)
            print(f"Neo4j started in {time.monotonic() - began:.1f} s")
        store = connect(settings)
        try:
            store.clear()
            began = time.monotonic()
            load(store, [folder], rejects=Path(tmp) / "rejects.csv", show_progress=False)
            load_s = time.monotonic() - began
            cypher_times = []
            for _ in range(args.runs):
                began = time.monotonic()
                done = materialise.materialise(store, policy, today)
                cypher_times.append(time.monotonic() - began)
            began = time.monotonic()
            network = from_paths([folder])
            build_s = time.monotonic() - began
            ref_times = []
            for _ in range(args.runs):
                began = time.monotonic()
                expected = reference.evaluate(network, policy, today)
                ref_times.append(time.monotonic() - began)
            ref_restricted = {k for k, s in expected.standings.items() if s.status == "restricted"}
            ref_indeterminate = {k for k, s in expected.standings.items() if s.status == "indeterminate"}
            agree = (len(ref_restricted) == done.restricted and len(ref_indeterminate) == done.indeterminate)
            rng = random.Random(args.seed)
            sample = rng.sample(sorted(network.parties), min(args.samples, len(network.parties)))
            materialised_ms, on_demand_ms = [], []
            mismatches = 0
            for key in sample:
                began = time.perf_counter()
                v = verdict(store, key, policy)
                materialised_ms.append((time.perf_counter() - began) * 1000)
                began = time.perf_counter()
                _, closure = cypher_engine.evaluate_party(store, key, policy, today)
                on_demand_ms.append((time.perf_counter() - began) * 1000)
                mismatches += v.verdict != expected.standings[key].status
                mismatches += closure.standings[key].status != expected.standings[key].status
        finally:
            store.close()
            if not settings.external:
                server.stop(settings)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"\n| graph | parties | edges | load (s) | Cypher closure (s, median of {args.runs}) | reference closure (s) "
          f"| reference / Cypher | restricted | indeterminate | rounds | engines agree |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    cy, ref = statistics.median(cypher_times), statistics.median(ref_times)
    print(f"| {args.graph.name} | {parties} | {edges} | {load_s:.1f} | {cy:.2f} | {ref:.2f} (+{build_s:.1f} to read the CSV) "
          f"| {ref / cy:.2f}x | {done.restricted} | {done.indeterminate} | {done.rounds} | "
          f"{'yes' if agree and not mismatches else f'NO ({mismatches} sampled mismatches)'} |")
    print(f"\nsingle verdict over {len(sample)} parties: materialised p50 {percentile(materialised_ms, .5):.1f} ms, "
          f"p95 {percentile(materialised_ms, .95):.1f} ms; on demand p50 {percentile(on_demand_ms, .5):.1f} ms, "
          f"p95 {percentile(on_demand_ms, .95):.1f} ms")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, commit {commit}, {today}")


if __name__ == "__main__":
    main()
