"""Re-encoding stored shares when the integer encoding of graph/share.py widens (schema version 1 -> 2).

The encoded ends `lo`/`hi` are derived data: each interest and each source statement also keeps its
stated share (`share_min`, `share_max`, `min_open`, `max_open`), so the new integers are computed from
those. Running it again gives the same integers, so an upgrade interrupted midway is simply run again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ownergraph.graph.share import Share
from ownergraph.graph.store import pages

BATCH = 5_000


def encoded(row: dict) -> dict:
    """{id, lo, hi} for one stored share, read back as the decimals it was stated with."""
    low = Decimal(repr(float(row["share_min"])))
    high = Decimal(repr(float(row["share_max"]))) if row["share_max"] is not None else Decimal(100)
    lo, hi = Share(low, high, bool(row["min_open"]), bool(row["max_open"])).encode()
    return {"id": row["id"], "lo": lo, "hi": hi}


def reencode(store: Any) -> int:
    """Re-encode every interest's and source statement's share ends; the number of elements written. The
    materialised closures, computed on the old integers, are withdrawn first (rebuilt by the next write)."""
    store.run("meta/closures_withdraw_all")
    written = 0
    for kind in ("interests", "provenance"):
        rows = [encoded(row) for row in store.stream(f"meta/shares_{kind}")]
        for page in pages(rows, BATCH):
            store.run(f"meta/shares_{kind}_set", rows=page)
        written += len(rows)
    return written
