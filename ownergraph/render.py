"""Human output of a verdict: a badge, the explanation, the paths with their sources."""

from __future__ import annotations

from rich.console import Console
from rich.tree import Tree

from ownergraph.graph.share import fmt
from ownergraph.graph.verdict import Verdict

COLOURS = {"restricted": "bold white on red", "clear": "bold white on green", "indeterminate": "bold black on yellow"}


def share_text(share) -> str:
    if share.min == share.max:
        return f"{fmt(share.min)}%"
    left = "(" if share.min_exclusive else "["
    right = ")" if share.max_exclusive else "]"
    return f"{left}{fmt(share.min)}, {fmt(share.max)}]%".replace("]%", f"{right}%")


def render_verdict(console: Console, verdict: Verdict) -> None:
    name = verdict.entity.name or verdict.entity.id
    console.print(f"[{COLOURS[verdict.verdict]}] {verdict.verdict.upper()} [/] [bold]{name}[/] ({verdict.entity.id})",
                  highlight=False)
    threshold = f"{'>=' if verdict.threshold.inclusive else '>'} {fmt(verdict.threshold.value)}%"
    console.print(f"policy {verdict.policy} ({verdict.method}, {threshold}, hash {verdict.policy_hash}), "
                  f"as of {verdict.as_of}; restricted share {share_text(verdict.restricted_share)}", highlight=False)
    for sentence in verdict.explanation:
        console.print(f"  - {sentence}", highlight=False)
    for i, path in enumerate(verdict.paths, start=1):
        title = f"path {i}" + (f" (carries {fmt(path.product)}%)" if path.product is not None else "")
        tree = Tree(title)
        for edge in path.edges:
            sources = "; ".join(f"{s.source} {s.record}" for s in edge.sources)
            tree.add(f"{edge.owner_name or edge.owner} -> {edge.owned_name or edge.owned}: "
                     f"{share_text(edge.share)} {edge.interest} [dim](source: {sources})[/]")
        console.print(tree, highlight=False)
