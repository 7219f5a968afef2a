"""From a closure to a verdict a reader can check by hand: paths from the seeds, one sentence per step.

Restricted: the proof the closure found, i.e. the witness edges from the seeds through restricted
intermediaries, each party entering after the parties that restrict it, so every path is finite.
Indeterminate: the same through the parties that may be restricted, and the ranged edges whose true
values decide it. Clear: the restricted share found, the margin to the threshold and the largest
restricted holders. Integrated: the paths that carry the most effective ownership, with their products.
"""

from __future__ import annotations

from collections import defaultdict

from ownergraph.graph.disclosure import describe_exception
from ownergraph.graph.network import Network
from ownergraph.graph.semantics import CLEAR, INDETERMINATE, RESTRICTED, Closure, Edge, counted_share, counts
from ownergraph.graph.share import decode, fmt
from ownergraph.graph.verdict import ControlPath, Holder, PartyRef, PathEdge, ShareRange, SourceRef, Threshold, Verdict

MAX_PATHS = 20
INTEREST_WORDS = {
    "appointment-of-board": "the right to appoint the board",
    "rights-granted-by-contract": "control by contract",
    "consolidation": "accounting consolidation",
    "voting-rights": "voting rights",
    "shareholding": "shares",
}


def build(network: Network, closure: Closure, key: str, engine: str) -> Verdict:
    policy = closure.policy
    standing = closure.standings[key]
    status = standing.status
    if policy.method == "integrated" and not standing.seed:
        share = ShareRange(min=round(standing.effective_lo or 0.0, 9), max=round(standing.effective_hi or 0.0, 9),
                           min_exclusive=standing.effective_lo_open, max_exclusive=standing.effective_hi_open)
    elif standing.seed:
        share = ShareRange(min=100.0, max=100.0)
    else:
        share = ShareRange(**decode(*held_by_restricted(network, closure, key)))
    verdict = Verdict(
        entity=PartyRef(id=key, name=network.name(key)),
        policy=policy.name, policy_hash=policy.hash(), as_of=closure.as_of, verdict=status,
        reason=(standing.sure_reason if status == RESTRICTED else
                standing.possible_reason if status == INDETERMINATE else None),
        restricted_share=share,
        threshold=Threshold(value=float(policy.threshold), inclusive=policy.inclusive),
        method=policy.method, engine=engine,
        holders=holders(network, closure, key),
        margin=margin(status, share, float(policy.threshold)),
    )
    if standing.seed:
        verdict.explanation = [f"{label(network, key)} is {standing.seed}, so it is restricted under "
                               f"{policy.name} in its own right."]
        return verdict
    if policy.method == "integrated":
        return _integrated(network, closure, key, verdict)
    if status == CLEAR:
        verdict.explanation = _clear_sentences(network, closure, key, verdict)
        return verdict
    bound = "sure" if status == RESTRICTED else "possible"
    tree = proof_tree(network, closure, key, bound)
    verdict.paths = [ControlPath(edges=[path_edge(network, e) for e in path]) for path in paths_to(tree, network, closure, key, bound)]
    verdict.explanation = _proof_sentences(network, closure, key, tree, bound)
    if status == INDETERMINATE:
        deciding = [e for edges in tree.values() for e in edges if e.ranged]
        verdict.deciding_edges = [path_edge(network, e) for e in deciding]
        verdict.explanation.append(
            f"{label(network, key)} is indeterminate: restricted parties hold "
            f"{range_words(share)} of it, and the threshold is {policy.describe_threshold()}. "
            + ("It turns on " + "; ".join(f"{network.name(e.owner) or e.owner}'s {share_words(e)} in "
                                        f"{network.name(e.owned) or e.owned}" for e in deciding) + "."
               if deciding else "It turns on owners whose own status is undecided."))
    verdict.explanation.extend(_exception_sentences(network, key))
    return verdict


def label(network: Network, key: str) -> str:
    return network.name(key) or key


def share_words(edge: Edge) -> str:
    return ShareRangeWords(edge.share_min, edge.share_max, edge.min_open, edge.max_open)


def ShareRangeWords(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:  # noqa: N802
    if lo == hi and not (lo_open or hi_open):
        return f"{fmt(lo)}%"
    if lo == 0 and hi == 100 and not (lo_open or hi_open):
        return "an undisclosed share"
    return f"{'more than' if lo_open else 'at least'} {fmt(lo)}% and {'less than' if hi_open else 'at most'} {fmt(hi)}%"


def range_words(share: ShareRange) -> str:
    return ShareRangeWords(share.min, share.max, share.min_exclusive, share.max_exclusive)


def path_edge(network: Network, edge: Edge) -> PathEdge:
    return PathEdge(
        owner=edge.owner, owned=edge.owned, owner_name=network.name(edge.owner), owned_name=network.name(edge.owned),
        share=ShareRange(min=edge.share_min, max=edge.share_max, min_exclusive=edge.min_open,
                         max_exclusive=edge.max_open),
        interest=edge.type, start=edge.start, end=edge.end,
        sources=[SourceRef(source=s, record=r) for s, r in edge.sources],
    )


def incoming(network: Network, closure: Closure, key: str) -> dict[str, list[Edge]]:
    by_owner: dict[str, list[Edge]] = defaultdict(list)
    for edge in network.edges.values():
        if edge.owned == key and counts(edge, closure.as_of):
            by_owner[edge.owner].append(edge)
    return by_owner


def held_by_restricted(network: Network, closure: Closure, key: str) -> tuple[int, int]:
    lo = hi = 0
    for owner, edges in incoming(network, closure, key).items():
        share = counted_share(edges, closure.policy)
        standing = closure.standings.get(owner)
        if share is None or standing is None:
            continue
        if standing.sure_round is not None:
            lo += share[0]
        if standing.possible_round is not None:
            hi += share[1]
    return lo, hi


def holders(network: Network, closure: Closure, key: str) -> list[Holder]:
    out = []
    for owner, edges in incoming(network, closure, key).items():
        standing = closure.standings.get(owner)
        share = counted_share(edges, closure.policy)
        if standing is None or standing.status == CLEAR or share is None:
            continue
        out.append(Holder(party=PartyRef(id=owner, name=network.name(owner)), share=ShareRange(**decode(*share)),
                          status=standing.status))
    out.sort(key=lambda h: (-h.share.max, -h.share.min, h.party.id))
    return out


def proof_tree(network: Network, closure: Closure, key: str, bound: str) -> dict[str, list[Edge]]:
    """party -> the witness edges that put it in the restricted set, for the party and its restrictors."""
    tree: dict[str, list[Edge]] = {}
    stack = [key]
    while stack:
        k = stack.pop()
        if k in tree:
            continue
        standing = closure.standings[k]
        witness = standing.sure_witness if bound == "sure" else standing.possible_witness
        tree[k] = [network.edges[w] for w in witness if w in network.edges]
        stack.extend(e.owner for e in tree[k])
    return tree


def paths_to(tree: dict[str, list[Edge]], network: Network, closure: Closure, key: str, bound: str) -> list[list[Edge]]:
    """Paths from a seed to the party along the proof tree (shortest first, at most MAX_PATHS)."""
    memo: dict[str, list[list[Edge]]] = {}

    def walk(k: str) -> list[list[Edge]]:
        if k in memo:
            return memo[k]
        standing = closure.standings[k]
        if standing.seed:
            memo[k] = [[]]
            return memo[k]
        out: list[list[Edge]] = []
        for edge in tree.get(k, []):
            for prefix in walk(edge.owner):
                out.append(prefix + [edge])
                if len(out) >= MAX_PATHS:
                    break
        out.sort(key=len)
        memo[k] = out[:MAX_PATHS]
        return memo[k]

    return walk(key)


def _why(network: Network, closure: Closure, key: str, bound: str) -> str:
    standing = closure.standings[key]
    if standing.seed:
        return standing.seed
    return "restricted" if standing.sure_round is not None else "possibly restricted"


def _proof_sentences(network: Network, closure: Closure, key: str, tree: dict[str, list[Edge]], bound: str) -> list[str]:
    policy = closure.policy
    rank = (lambda k: closure.standings[k].sure_round) if bound == "sure" else (lambda k: closure.standings[k].possible_round)
    sentences = []
    for k in sorted((k for k in tree if not closure.standings[k].seed), key=lambda k: (rank(k), k)):
        edges = tree[k]
        sure = closure.standings[k].sure_round is not None
        verb = "therefore restricted" if sure else "possibly restricted"
        reason = closure.standings[k].sure_reason if bound == "sure" else closure.standings[k].possible_reason
        if reason == "control":
            e = edges[0]
            sentences.append(f"{label(network, e.owner)} ({_why(network, closure, e.owner, bound)}) holds "
                             f"{INTEREST_WORDS.get(e.type, e.type)} in {label(network, k)}, a control interest "
                             f"{policy.name} counts, so {label(network, k)} is {verb.replace('therefore ', '')}.")
        elif len(edges) == 1:
            e = edges[0]
            sentences.append(f"{label(network, e.owner)} ({_why(network, closure, e.owner, bound)}) holds "
                             f"{share_words(e)} of {label(network, k)}, which is {verb}.")
        else:
            parts = [f"{label(network, e.owner)} ({_why(network, closure, e.owner, bound)}) holds {share_words(e)}"
                     for e in edges]
            total = ShareRange(**decode(sum(e.lo for e in edges), sum(e.hi for e in edges)))
            together = range_words(total) if bound == "possible" else f"{fmt(total.min)}%"
            meets = "meets" if sure else "may meet"
            sentences.append(f"{'; '.join(parts)} of {label(network, k)}: together {together}, which {meets} "
                             f"the threshold of {policy.describe_threshold()}, so {label(network, k)} is "
                             f"{verb.replace('therefore ', '')}.")
    return sentences


def _clear_sentences(network: Network, closure: Closure, key: str, verdict: Verdict) -> list[str]:
    policy = closure.policy
    share = verdict.restricted_share
    sentences = [f"{label(network, key)} is clear under {policy.name}: restricted parties hold "
                 f"{range_words(share) if share.max > 0 else 'none'} of it; the threshold is "
                 f"{policy.describe_threshold()}, {fmt(verdict.margin or 0)} percentage points away."]
    for holder in verdict.holders[:5]:
        sentences.append(f"{holder.party.name or holder.party.id} ({holder.status}) holds {range_words(holder.share)}.")
    sentences.extend(_exception_sentences(network, key))
    return sentences


def _exception_sentences(network: Network, key: str) -> list[str]:
    party = network.parties.get(key)
    if not party or not party.reporting_exceptions:
        return []
    return [f"{label(network, key)} reports that " + "; ".join(describe_exception(c) for c in party.reporting_exceptions) +
            " (an owner that is not disclosed cannot be checked)."]


def _integrated(network: Network, closure: Closure, key: str, verdict: Verdict) -> Verdict:
    contributions = top_paths(network, closure, key)
    verdict.paths = [ControlPath(edges=[path_edge(network, e) for e in path], product=product)
                     for product, path in contributions]
    share = verdict.restricted_share
    words = {RESTRICTED: "restricted", CLEAR: "clear", INDETERMINATE: "indeterminate"}[verdict.verdict]
    verdict.explanation = [
        f"Restricted seeds own {range_words(share)} of {label(network, key)} effectively (shares multiplied "
        f"along each path and summed over all paths); the threshold is {closure.policy.describe_threshold()}, "
        f"so it is {words}."
    ]
    for product, path in contributions[:5]:
        chain = " -> ".join([label(network, path[0].owner)] + [label(network, e.owned) for e in path])
        factors = " x ".join(f"{fmt(e.share_min)}%" for e in path)
        verdict.explanation.append(f"{chain}: {factors} = {fmt(product)}%.")
    return verdict


def margin(status: str, share: ShareRange, threshold: float) -> float:
    """Percentage points between the threshold and the bound of the restricted share that decides: clear,
    the threshold minus the largest possible share (how far below); otherwise the smallest share minus the
    threshold (restricted by ownership: how far above; indeterminate: negative, how far the sure share falls
    short; a seed or control verdict can be restricted below the threshold)."""
    return threshold - share.max if status == CLEAR else share.min - threshold


def top_paths(network: Network, closure: Closure, key: str, limit: int = 10) -> list[tuple[float, list[Edge]]]:
    """Simple paths from seeds to the party with the share each carries (lower ends), largest first."""
    parents: dict[str, list[Edge]] = defaultdict(list)
    for edge in network.edges.values():
        if counts(edge, closure.as_of) and edge.type in closure.policy.measured:
            parents[edge.owned].append(edge)
    found: list[tuple[float, list[Edge]]] = []
    budget = [20000]

    def walk(k: str, suffix: list[Edge], product: float, visited: set[str]) -> None:
        budget[0] -= 1
        if budget[0] < 0 or product <= 1e-9:
            return
        for edge in parents.get(k, []):
            if edge.owner in visited:
                continue
            share = edge.share_min / 100
            path = [edge] + suffix
            if closure.standings.get(edge.owner) and closure.standings[edge.owner].seed:
                found.append((product * share * 100, path))
            else:
                walk(edge.owner, path, product * share, visited | {edge.owner})

    walk(key, [], 1.0, {key})
    found.sort(key=lambda item: -item[0])
    return found[:limit]
