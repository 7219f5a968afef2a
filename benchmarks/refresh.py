"""Nightly refresh benchmark: a 1% delta applied by `ownergraph refresh` against a full rebuild.

A synthetic registry (benchmarks/synthetic.py) is written as the snapshot of day 1; the snapshot of day 2
is the same registry with 1% of its stakes touched (a third change share, a third are sold, a third are
new) and 0.1% of its parties moved to another country. Then, on one Neo4j:

1. refresh day 1: the first snapshot, loaded and the closures materialised (not timed against anything);
2. refresh day 2: stage and diff, apply, incremental recompute of every materialised policy (timed);
3. full rebuild of day 2: an empty database, the day-2 snapshot loaded, every policy materialised (timed);
   and a full recompute of the closures alone on the refreshed graph, compared party by party with the
   incremental one. `--rebuild bulk` loads it by the bulk path (`ownergraph load --bulk`: the server
   emptied, stopped for neo4j-admin import and started again, all inside the timed rebuild), `--rebuild
   load` by the transactional load.

    python -m benchmarks.refresh --parties 100000 --rebuild bulk
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

DELTA = 0.01


def next_snapshot(day1: Path, day2: Path, seed: int, delta: float) -> dict[str, int]:
    """Write day 2: day 1 with `delta` of its stakes touched and delta/10 of its parties moved."""
    rng = random.Random(seed)
    day2.mkdir(parents=True)
    with open(day1 / "entities.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames
        entities = list(reader)
    moved = 0
    for row in rng.sample(entities, max(1, int(len(entities) * delta / 10))):
        if row["kind"] in ("company", "fund", "trust", ""):
            row["headquarters"] = "CN" if row["headquarters"] != "CN" else "DE"
            moved += 1
    with open(day2 / "entities.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(entities)
    with open(day1 / "ownership.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        owned_columns = reader.fieldnames
        stakes = list(reader)
    touched = max(3, int(len(stakes) * delta))
    picked = rng.sample(range(len(stakes)), touched)
    changed = picked[: touched // 3]
    sold = set(picked[touched // 3: 2 * touched // 3])
    for i in changed:
        stakes[i] = {**stakes[i], "share": str(rng.choice([5, 15, 30, 49, 51, 60, 80, 100])), "share_min": "",
                     "share_max": ""}
    stakes = [s for i, s in enumerate(stakes) if i not in sold]
    ids = [e["id"] for e in entities if e["kind"] != "person"]
    new = 0
    for _ in range(touched - len(changed) - len(sold)):
        owner, owned = rng.sample(ids, 2)
        stakes.append({c: "" for c in owned_columns} | {"owner": owner, "owned": owned,
                                                         "share": str(rng.choice([20, 51, 75, 100]))})
        new += 1
    with open(day2 / "ownership.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, owned_columns)
        writer.writeheader()
        writer.writerows(stakes)
    return {"stakes": len(stakes), "changed": len(changed), "sold": len(sold), "new": new, "moved": moved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--delta", type=float, default=DELTA, help="fraction of the stakes touched (0.01: 1%%)")
    parser.add_argument("--rebuild", choices=("bulk", "load"), default="bulk",
                        help="how the full rebuild loads the day-2 snapshot (bulk needs the local server)")
    args = parser.parse_args()

    from benchmarks.synthetic import generate
    from ownergraph.graph import server
    from ownergraph.graph.incremental import all_standings
    from ownergraph.graph.materialise import materialise
    from ownergraph.graph.policy import load_policy
    from ownergraph.graph.store import connect
    from ownergraph.loaders.bulk.run import bulk_load
    from ownergraph.loaders.refresh import refresh
    from ownergraph.loaders.run import load
    from ownergraph.loaders.sources import RefreshConfig, RefreshSettings, Source

    day2 = date.today()
    day1 = day2 - timedelta(days=1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        registry = root / "registry"
        began = time.monotonic()
        manifest = generate(args.parties, registry / day1.isoformat(), args.seed)
        for extra in registry.glob(f"{day1.isoformat()}/*"):
            if extra.name not in ("entities.csv", "ownership.csv"):
                extra.unlink()
        delta = next_snapshot(registry / day1.isoformat(), registry / day2.isoformat(), args.seed, args.delta)
        print(f"registry: {manifest.parties} parties, {manifest.interests} stakes; day 2 touches "
              f"{delta['changed']} changed + {delta['sold']} sold + {delta['new']} new stakes, "
              f"{delta['moved']} parties moved ({time.monotonic() - began:.1f} s to write)", flush=True)
        external = bool(os.environ.get("NEO4J_URI"))
        settings = RefreshSettings(data_dir=root / "data") if external else \
            RefreshSettings(data_dir=root / "data", bolt_port=server.free_port())
        if not external:
            server.start(settings)
        store = connect(settings)
        config = RefreshConfig(sources=[Source(name="registry", format="csv", location=str(registry))])
        policies = [load_policy(p) for p in config.policies]
        try:
            store.clear()
            began = time.monotonic()
            first = refresh(settings, config, today=day1, store=store)
            first_s = time.monotonic() - began
            assert first.status == "succeeded", first.error
            print(f"refresh day 1 (first snapshot, baseline closures): {first_s:.1f} s", flush=True)
            began = time.monotonic()
            second = refresh(settings, config, today=day2, store=store)
            delta_s = time.monotonic() - began
            assert second.status == "succeeded", second.error
            recompute_s = sum(c["seconds"] for c in second.closures)
            source = second.sources[0]
            print(f"refresh day 2 (1% delta): {delta_s:.1f} s, of which incremental recompute {recompute_s:.1f} s; "
                  f"{source.stakes_new} new, {source.stakes_changed} changed, {source.stakes_ended} ended stakes, "
                  f"{source.parties_changed} parties changed, {second.changes} verdict changes", flush=True)
            print(f"  seconds: {source.seconds}", flush=True)
            for c in second.closures:
                print(f"  {c['policy']}: {c['mode']}, region {c['region']} parties, {c['restricted']} restricted, "
                      f"{c['seconds']:.2f} s", flush=True)
            incremental = {p.name: all_standings(store, store.run("closure/version_get", policy=p.name)[0]["version"])
                           for p in policies}
            began = time.monotonic()
            for p in policies:
                materialise(store, p, day2)
            closures_s = time.monotonic() - began
            full = {p.name: all_standings(store, store.run("closure/version_get", policy=p.name)[0]["version"])
                    for p in policies}
            agree = all({k: v["status"] for k, v in incremental[p].items()} ==
                        {k: v["status"] for k, v in full[p].items()} for p in incremental)
            print(f"full recompute of the closures on the refreshed graph: {closures_s:.1f} s; "
                  f"incremental equals full: {'yes' if agree else 'NO'}", flush=True)
            began = time.monotonic()
            if args.rebuild == "bulk" and not external:
                store.close()
                server.reset(settings)  # an empty database: the bulk path refuses any other
                bulk_load(settings, [registry / day2.isoformat()], rejects=root / "rejects.csv", show_progress=False)
                store = connect(settings)
            else:
                store.clear()
                load(store, [registry / day2.isoformat()], rejects=root / "rejects.csv", show_progress=False)
            for p in policies:
                materialise(store, p, day2)
            rebuild_s = time.monotonic() - began
            how = "ownergraph load --bulk" if args.rebuild == "bulk" and not external else "ownergraph load"
            print(f"full rebuild of day 2 (empty database, {how}, materialise): {rebuild_s:.1f} s", flush=True)
        finally:
            store.close()
            if not external:
                server.stop(settings)
            shutil.rmtree(root / "data", ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print("\n| parties | stakes | delta refresh (s) | incremental recompute (s) | full rebuild (s) | delta / full "
          "| full closure recompute (s) | incremental equals full |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {manifest.parties:,} | {manifest.interests:,} | {delta_s:.1f} | {recompute_s:.1f} | {rebuild_s:.1f} "
          f"| {delta_s / rebuild_s:.1%} | {closures_s:.1f} | {'yes' if agree else 'NO'} |")
    print(f"rebuild: {how}; policies: {', '.join(p.name for p in policies)}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"commit {commit}, {date.today()}")


if __name__ == "__main__":
    main()
