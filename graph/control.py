"""Company control (the Bank of Italy / Vadalog definition) and the controllers of a party.

x controls y when x, together with the companies x controls, holds more than 50% of y: the aggregate
closure of SPEC.md §3 seeded with x alone, threshold > 50, measuring shareholding and voting rights, no
control interests. The controllers of y are the parties of y's upstream cone (read from Neo4j) whose
closure reaches y; each comes with the proof paths, nearest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import networkx as nx

from ownergraph.graph import explain, reference
from ownergraph.graph.network import Network
from ownergraph.graph.policy import Policy, Restricted
from ownergraph.graph.verdict import ControlPath

COMPANY_CONTROL = Policy(name="company-control", restricted=Restricted(), threshold=Decimal(50), inclusive=False,
                         measured=("shareholding", "voting-rights"), control=())
MAX_CANDIDATES = 2000


@dataclass
class Controller:
    key: str
    name: str | None
    distance: int  # edges on the shortest ownership path to the party
    status: str  # "controls" (for sure) or "may control" (only under the upper ends of ranges)
    paths: list[ControlPath]


def controllers(network: Network, key: str, as_of: date) -> list[Controller]:
    graph = reference.as_digraph(network, as_of)
    if key not in graph:
        return []
    distances = nx.single_target_shortest_path_length(graph, key)
    found = []
    candidates = sorted((d, k) for k, d in distances.items() if k != key)[:MAX_CANDIDATES]
    for distance, candidate in candidates:
        closure = reference.evaluate(network, COMPANY_CONTROL, as_of, seeds={candidate: "the candidate controller"},
                                     graph=graph)
        standing = closure.standings[key]
        if standing.status == "clear":
            continue
        bound = "sure" if standing.status == "restricted" else "possible"
        tree = explain.proof_tree(network, closure, key, bound)
        paths = [ControlPath(edges=[explain.path_edge(network, e) for e in path])
                 for path in explain.paths_to(tree, network, closure, key, bound)]
        found.append(Controller(candidate, network.name(candidate), distance,
                                "controls" if bound == "sure" else "may control", paths))
    return found
