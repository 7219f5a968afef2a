"""`python -m benchmarks run [options]`: every benchmark in one run, results written to BENCHMARKS.md.
`python -m benchmarks readers [options]`: each format's reader alone (benchmarks/readers.py).
`python -m benchmarks scale --size 10m [options]`: the bulk path, closures and verdicts at register scale
(benchmarks/scale.py).

The single benchmarks keep their own entry points (`python -m benchmarks.closure`, `.load_rate`,
`.api_load`, `.refresh`, `.synthetic`).
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "readers":
        from benchmarks.readers import main as readers

        readers(sys.argv[2:])
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "scale":
        from benchmarks.scale import main as scale

        scale(sys.argv[2:])
        return
    if len(sys.argv) < 2 or sys.argv[1] != "run":
        raise SystemExit("usage: python -m benchmarks run [--size 1m ...] (python -m benchmarks run --help), "
                         "python -m benchmarks readers [--size 200k ...], or python -m benchmarks scale --size 10m")
    from benchmarks.run import main as run

    run(sys.argv[2:])


if __name__ == "__main__":
    main()
