"""Every Cypher statement of ownergraph, one per `.cypher` file, loaded by name.

`query("load/parties")` returns the text of `cypher/load/parties.cypher`. Values are always
`$parameters`; no statement is ever assembled from user input.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent


@cache
def query(name: str) -> str:
    path = (ROOT / f"{name}.cypher").resolve()
    if ROOT not in path.parents:
        raise KeyError(name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyError(f"no Cypher statement named {name!r}") from None


def names(folder: str = "") -> list[str]:
    """All statement names (optionally under one folder), sorted."""
    base = ROOT / folder if folder else ROOT
    return sorted(str(p.relative_to(ROOT).with_suffix("")) for p in base.rglob("*.cypher"))
