"""Files read into an in-memory network (`verdict --engine memory`), with the rejects the load would make.

The same readers as `ownergraph load`, through the same file handling (`loaders/reading.py`); the records
go to `graph/network.py` instead of Neo4j. A record the load would reject is reported here with the same
reason: a file that cannot be read (or not to its end), what a reader cannot read, a name or identifier
too long, and a stake whose owner or owned party no file names ("unknown party").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ownergraph.graph.network import Network, place
from ownergraph.loaders import reading
from ownergraph.loaders.records import Item, Reject, reason_key, unknown_party


@dataclass
class MemoryLoad:
    network: Network
    rejects: list[Reject] = field(default_factory=list)
    conflicts: reading.Conflicts = field(default_factory=reading.Conflicts)

    @property
    def rejected(self) -> Counter:
        """Rejects by reason, counted as the load summary counts them."""
        return Counter(reason_key(r.reason) for r in self.rejects)


def read(paths: Iterable[Path], fmt: str = "auto") -> MemoryLoad:
    """The network the files describe, and the records the load would reject."""
    planned, rejects = reading.plan(list(paths), fmt)
    conflicts = reading.Conflicts()

    def records() -> Iterator[Item]:
        for path, kind in planned:
            for item in reading.items(path, kind, conflicts):
                if isinstance(item, Reject):
                    rejects.append(item)
                else:
                    yield item

    network, unplaced = place(records())
    return MemoryLoad(network, rejects + [unknown_party(s) for s in unplaced], conflicts)


def network(paths: Iterable[Path], fmt: str = "auto") -> Network:
    """Only the network (tests, benchmarks)."""
    return read(paths, fmt).network
