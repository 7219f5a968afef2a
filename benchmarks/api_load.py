"""A loopback load generator for the API: concurrent clients reading verdicts, bounded in count and time.

It sends GET /v1/parties/{id}/verdict for ids drawn (seeded) from a list, from `--clients` concurrent
clients, until `--requests` requests have been sent or `--duration` seconds have passed, whichever comes
first, and reports latency percentiles (p50/p95/p99), throughput and errors. Only loopback addresses are
accepted as targets.

    # against a running `ownergraph serve`
    python -m benchmarks.api_load --url http://127.0.0.1:8000 --ids-from ownergraph/demo
    # or let it start the API itself (uvicorn in a subprocess, on the configured Neo4j)
    python -m benchmarks.api_load --serve --ids-from /tmp/synthetic --requests 5000 --duration 60
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import ipaddress
import json
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlparse

import httpx

DEMO_IDS = ["VANTAGE", "RHEINWERK", "NORDLICHT", "BALTIC", "COBALT", "FJORD", "IBERIA", "LOTUS", "ANCHOR",
            "ALPEN", "DRAGON", "SHENZHEN", "VOLGA", "LIWEI"]


def loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ids_from(folder: Path | None, sample: int, seed: int) -> list[str]:
    if folder is None:
        return DEMO_IDS
    with open(folder / "entities.csv", newline="", encoding="utf-8") as fh:
        ids = [row["id"] for row in csv.DictReader(fh) if row.get("id")]
    rng = random.Random(seed)
    return rng.sample(ids, min(sample, len(ids)))


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


async def run(url: str, ids: list[str], policy: str, clients: int, requests: int, duration: float,
              seed: int, api_key: str | None, as_of: str | None = None) -> dict:
    rng = random.Random(seed)
    order = [rng.choice(ids) for _ in range(requests)]
    latencies: list[float] = []
    errors: Counter = Counter()
    statuses: Counter = Counter()
    next_index = 0
    deadline = time.monotonic() + duration
    headers = {"X-API-Key": api_key} if api_key else {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    params = {"policy": policy, **({"as_of": as_of} if as_of else {})}

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal next_index
        while next_index < len(order) and time.monotonic() < deadline:
            party = order[next_index]
            next_index += 1
            began = time.perf_counter()
            try:
                response = await http.get(f"/v1/parties/{quote(party, safe='')}/verdict", params=params)
                statuses[response.status_code] += 1
                if response.status_code != 200:
                    errors[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
            latencies.append((time.perf_counter() - began) * 1000)

    began = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits, headers=headers) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    return {
        "url": url, "policy": policy, "as_of": as_of, "clients": clients, "distinct_ids": len(set(ids)),
        "requests": len(latencies), "seconds": round(elapsed, 2),
        "throughput_per_s": round(len(latencies) / elapsed, 1) if elapsed else None,
        "latency_ms": {"p50": round(percentile(ordered, 50), 1), "p95": round(percentile(ordered, 95), 1),
                       "p99": round(percentile(ordered, 99), 1), "max": round(ordered[-1], 1) if ordered else None,
                       "mean": round(statistics.fmean(ordered), 1) if ordered else None},
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": dict(errors), "error_count": sum(errors.values()),
    }


@contextmanager
def served(timeout: float = 60):
    """The API in a uvicorn subprocess on a free loopback port, on the settings of the environment."""
    from ownergraph.graph.server import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "ownergraph.api.app:from_environment", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                                "--timeout-keep-alive", "30"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the API did not become ready at {url}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--url", default="http://127.0.0.1:8000", help="a loopback API base URL")
    target.add_argument("--serve", action="store_true", help="start the API in a subprocess for the run")
    parser.add_argument("--ids-from", type=Path, help="a CSV folder whose entities.csv ids are sampled "
                        "(default: the demo ids)")
    parser.add_argument("--sample", type=int, default=1000, help="distinct ids sampled from --ids-from")
    parser.add_argument("--policy", default="cn-majority")
    parser.add_argument("--as-of", help="ask for the verdict on this date (evaluated on demand)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000, help="at most this many requests (<= 1,000,000)")
    parser.add_argument("--duration", type=float, default=60.0, help="at most this many seconds (<= 3600)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--api-key", help="sent as X-API-Key when the server requires keys")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    if not (0 < args.requests <= 1_000_000 and 0 < args.duration <= 3600 and 0 < args.clients <= 256):
        parser.error("requests, duration and clients must be positive and bounded (1e6, 3600 s, 256)")
    ids = ids_from(args.ids_from, args.sample, args.seed)

    def go(url: str) -> dict:
        if not loopback(url):
            parser.error(f"{url} is not a loopback address; this generator only targets this machine")
        return asyncio.run(run(url, ids, args.policy, args.clients, args.requests, args.duration, args.seed,
                               args.api_key, args.as_of))

    if args.serve:
        with served() as url:
            report = go(url)
    else:
        report = go(args.url)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
