"""`python -m benchmarks run [options]`: every benchmark in one run, results written to BENCHMARKS.md.

The single benchmarks keep their own entry points (`python -m benchmarks.closure`, `.load_rate`,
`.api_load`, `.refresh`, `.synthetic`).
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] != "run":
        raise SystemExit("usage: python -m benchmarks run [--size 1m ...] (python -m benchmarks run --help)")
    from benchmarks.run import main as run

    run(sys.argv[2:])


if __name__ == "__main__":
    main()
