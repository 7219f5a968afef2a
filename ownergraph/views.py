"""Human output of `ownergraph party` and `ownergraph keys list`: rich tables, never Python reprs."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ownergraph.graph.consolidation import Parent, UltimateParents


def _party(p: Parent) -> str:
    name = escape(p.name) if p.name else "(no name)"
    return f"{name} [dim]\\[{escape(p.key)}][/]"


def render_party(console: Console, details: dict, parents: UltimateParents, as_of: date) -> None:
    """The party's facts and identifiers, then its GLEIF ultimate parents computed beside declared."""
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("party", f"{escape(details.get('name') or '(no name)')} \\[{escape(details['id'])}]")
    for field in ("kind", "jurisdiction", "headquarters", "country", "status"):
        if details.get(field):
            facts.add_row(field, escape(str(details[field])))
    for field in ("nationalities", "reporting_exceptions", "sources"):
        if details.get(field):
            facts.add_row(field.replace("_", " "), escape(", ".join(details[field])))
    if details.get("identifiers"):
        facts.add_row("identifiers", escape(", ".join(i["id"] for i in details["identifiers"])))
    if details.get("lists"):
        facts.add_row("lists", escape(", ".join(item["name"] for item in details["lists"])))
    facts.add_row("owners", f"{details.get('owner_count', 0):,} direct; subsidiaries "
                            f"{details.get('subsidiary_count', 0):,} direct")
    console.print(facts)
    if not (parents.computed or parents.declared):
        console.print(f"GLEIF ultimate parent (as of {as_of.isoformat()}): none computed, none declared")
        return
    table = Table(title=f"GLEIF ultimate parent, as of {as_of.isoformat()}", title_justify="left")
    table.add_column("")
    table.add_column("party")
    table.add_column("how")
    for p in parents.computed:
        chain = " -> ".join(escape(k) for k in p.chain)
        table.add_row("computed", _party(p), f"{p.levels} level(s) up the direct chain: {chain}")
    if not parents.computed:
        table.add_row("computed", "none", "no direct parent, or a chain that only loops")
    for p in parents.declared:
        table.add_row("declared", _party(p), "records " + escape(", ".join(p.records)) if p.records else "")
    if not parents.declared:
        table.add_row("declared", "none", "no ultimate parent declared")
    console.print(table)
    console.print("computed and declared agree" if parents.agree else
                  "[bold red]computed and declared disagree[/]")


def render_keys(console: Console, keys: list[dict]) -> None:
    """API keys, one a row (ids, names, dates; never the keys)."""
    if not keys:
        console.print("no API keys (create one with `ownergraph keys create`)")
        return
    table = Table()
    for column in keys[0]:
        table.add_column(column)
    for record in keys:
        table.add_row(*("" if v is None else escape(str(v)) for v in record.values()))
    console.print(table)
