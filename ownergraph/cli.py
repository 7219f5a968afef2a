"""The `ownergraph` command line (SPEC.md §6)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from ownergraph.graph.materialise import MaterialisedClosure
    from ownergraph.settings import Settings

app = typer.Typer(help="Ownership analytics: is a party owned or controlled by restricted parties, and why?",
                  no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None)
# rich_markup_mode=None: plain help text; the rich help renderer alone costs ~0.2 s of imports per call
db_app = typer.Typer(help="The local Neo4j server (NEO4J_URI selects an external one instead).", no_args_is_help=True,
                     rich_markup_mode=None)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API keys (hashed at rest); required when OWNERGRAPH_API_KEYS_REQUIRED=true.",
                       no_args_is_help=True, rich_markup_mode=None)
app.add_typer(keys_app, name="keys")
export_app = typer.Typer(help="Export the graph for other tools.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(export_app, name="export")
console = Console()
err = Console(stderr=True)


def get_settings() -> Settings:
    """The settings, imported on first use: `--help` and argument errors need no pydantic."""
    from ownergraph.settings import get_settings as settings

    return settings()


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@db_app.command("start")
def db_start() -> None:
    """Fetch Neo4j 5.26 from Maven Central if needed, start it on 127.0.0.1 and wait for Bolt."""
    import time

    from ownergraph.graph import server

    settings = get_settings()
    if settings.external:
        fail(f"NEO4J_URI is set ({settings.neo4j_uri}); the local server is not used")
    began = time.monotonic()
    try:
        uri = server.start(settings)
    except server.ServerError as exc:
        fail(str(exc))
    console.print(f"Neo4j is up at [bold]{uri}[/] ({time.monotonic() - began:.1f} s)")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the local Neo4j (SIGTERM, then wait)."""
    from ownergraph.graph import server

    stopped = server.stop(get_settings())
    console.print("Neo4j stopped" if stopped else "Neo4j was not running")


@db_app.command("status")
def db_status() -> None:
    """Say whether the local Neo4j runs, where, and its schema version."""
    from ownergraph.graph import server
    from ownergraph.graph.store import opened

    settings = get_settings()
    if settings.external:
        with opened(settings) as store:
            up = store.ping()
        console.print(f"external Neo4j {settings.neo4j_uri}: {'reachable' if up else 'unreachable'}")
        raise typer.Exit(0 if up else 1)
    state = server.status(settings)
    if not state["running"]:
        console.print(f"Neo4j is not running (home {state['home']})")
        raise typer.Exit(1)
    console.print(f"Neo4j is running: pid {state['pid']}, {state['uri']}, home {state['home']}")


@db_app.command("reset")
def db_reset(yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Stop the local Neo4j and delete its data."""
    from ownergraph.graph import server

    if not yes:
        typer.confirm("Delete all data of the local Neo4j?", abort=True)
    server.reset(get_settings())
    console.print("Neo4j data deleted; `ownergraph db start` starts an empty database")


def _store():
    from ownergraph.graph import server
    from ownergraph.graph.store import connect

    settings = get_settings()
    if not settings.external and not server.status(settings)["running"]:
        fail("the local Neo4j is not running: start it with `ownergraph db start` (or set NEO4J_URI)")
    return connect(settings)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to load.", exists=True)],
    format: Annotated[str, typer.Option("--format", help="auto, bods, gleif, psc, ftm or csv.")] = "auto",
    rejects: Annotated[Path | None, typer.Option(help="Where to write rejected records (CSV).")] = None,
    quality: Annotated[bool, typer.Option("--quality/--no-quality",
                                          help="Print the quality report of the graph after the load.")] = True,
    bulk: Annotated[bool, typer.Option("--bulk", help="Into an empty database of the local server: the files "
                                       "resolved here and written by neo4j-admin import (README: Loading a "
                                       "national register).")] = False,
    import_files: Annotated[Path | None, typer.Option("--write-import-files", metavar="DIR",
                                                      help="Bulk: only write the import's files into DIR (for a "
                                                           "server elsewhere); no database is touched.")] = None,
    finish_import: Annotated[bool, typer.Option("--finish-import", help="Bulk: PATH is a DIR neo4j-admin imported "
                                                "on the server; apply the schema to it.")] = False,
) -> None:
    """Load registry data into the graph; bad records go to a rejects file, the rest loads.

    Exit code: 0 every record loaded; 1 some records rejected; 2 a file could not be read, or nothing loaded.
    """
    from rich.markup import escape

    from ownergraph.loaders.csv_folder import FormatError
    from ownergraph.loaders.formats import UnknownFormat
    from ownergraph.loaders.quality import render as render_quality
    from ownergraph.loaders.quality import report as quality_report
    from ownergraph.loaders.run import load as run_load

    settings = get_settings()
    store = None
    try:
        if bulk or import_files is not None or finish_import:
            summary, store = _load_bulk(settings, list(paths), format, rejects, import_files, finish_import)
        else:
            store = _store()
            summary = run_load(store, list(paths), format, rejects, settings.batch_size,
                               show_progress=sys.stderr.isatty(), record_limit=settings.max_record_mb * 2**20)
        counts = store.counts() if store else None
        checked = quality_report(store) if quality and store else None
    except (UnknownFormat, FormatError) as exc:
        fail(str(exc), 2)
    finally:
        if store:
            store.close()
    for unread in summary.unreadable:
        err.print(f"[bold red]error:[/] {escape(unread)}", highlight=False, emoji=False, soft_wrap=True)
    console.print(f"parties: {summary.parties_new} new, {summary.parties_updated} updated; "
                  f"interests: {summary.interests_new} new, {summary.interests_updated} updated; "
                  f"rejected: {summary.rejected_total}")
    for reason, n in summary.rejected.most_common():
        console.print(f"  {n} rejected: {reason}")
    if summary.rejected_total:
        console.print(f"rejected records are in {summary.rejects_file}")
    if summary.conflicts:
        console.print(f"warning: {summary.conflicts} parties stated again in the same file with a different "
                      "name or country, e.g.", highlight=False, markup=False, emoji=False)
        for example in summary.conflict_examples:
            console.print(f"  {example}", highlight=False, markup=False, emoji=False)
    if counts is not None:
        console.print(f"graph now holds {counts['parties']} parties and {counts['interests']} interests")
    if checked is not None:
        for line in render_quality(checked):
            console.print(line, highlight=False, markup=False)
    raise typer.Exit(summary.exit_code)


def _load_bulk(settings: Settings, paths: list[Path], fmt: str, rejects: Path | None, import_files: Path | None,
               finish_import: bool):
    """`load --bulk`: (summary, a store on the new graph), or no store when only the files were written."""
    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.store import connect
    from ownergraph.loaders.bulk import run as bulk

    show = sys.stderr.isatty()
    try:
        if finish_import:
            if len(paths) != 1 or not paths[0].is_dir():
                fail("--finish-import takes one PATH: the folder --write-import-files wrote", 2)
            result = bulk.finish_import(settings, paths[0])
        elif import_files is not None:
            result = bulk.write_files(paths, import_files, fmt, rejects, settings.batch_size, show,
                                      settings.neo4j_database, settings.max_record_mb * 2**20)
            console.print(f"import files written to {import_files}: run the command in "
                          f"{import_files / bulk.COMMAND} on the Neo4j host, then `ownergraph load --finish-import "
                          f"{import_files}`", highlight=False, markup=False)
            return result.summary, None
        else:
            result = bulk.bulk_load(settings, paths, fmt, rejects, show_progress=show)
    except OwnergraphError as exc:
        fail(str(exc), 2)
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.seconds.items())
    console.print(f"bulk load: {steps}", highlight=False)
    return result.summary, connect(settings)


@app.command()
def quality(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Interests in force on this date (default today).")] = None,
    examples: Annotated[int, typer.Option(help="How many examples of each irregularity to name.")] = 5,
) -> None:
    """The quality report of the graph: totals, shares over 100%, ownership cycles, parties with no owner."""
    from ownergraph.loaders.quality import render as render_quality
    from ownergraph.loaders.quality import report as quality_report

    day = _as_of(as_of)
    store = _store()
    try:
        checked = quality_report(store, day, examples)
    finally:
        store.close()
    for line in render_quality(checked):
        console.print(line, highlight=False, markup=False)


def _as_of(value: str | None):
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} is not an ISO 8601 date (YYYY-MM-DD)", 2)


@app.command()
def verdict(
    party_id: Annotated[str, typer.Argument(metavar="ID", help="A CSV id, BODS recordId, LEI or scheme:value.")],
    policy: Annotated[str, typer.Option(help="A built-in policy name or a YAML policy file.")] = "cn-majority",
    as_of: Annotated[str | None, typer.Option("--as-of", help="The date to judge on (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the SPEC.md §6 JSON.")] = False,
    engine: Annotated[str, typer.Option(help="cypher (Neo4j) or memory (reference engine on --data).")] = "cypher",
    data: Annotated[list[Path] | None, typer.Option(help="Files or folders for --engine memory.")] = None,
) -> None:
    """Is the party restricted under the policy, as of the date, and why?"""
    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.evaluate import verdict as cypher_verdict
    from ownergraph.graph.evaluate import verdict_in_network
    from ownergraph.render import render_verdict

    day = _as_of(as_of)
    try:
        if engine == "memory":
            if not data:
                fail("--engine memory needs --data FOLDER (the files to judge from)", 2)
            result = verdict_in_network(_read_memory(list(data)), party_id, policy, day)
        elif engine == "cypher":
            store = _store()
            try:
                result = cypher_verdict(store, party_id, policy, day)
            finally:
                store.close()
        else:
            fail(f"unknown engine {engine!r} (cypher or memory)", 2)
    except OwnergraphError as exc:
        fail(str(exc), 2 if exc.status in (404, 409, 422) else 1)
    if as_json:
        print(result.model_dump_json(indent=2, exclude_none=False))
    else:
        render_verdict(console, result)


def _read_memory(paths: list[Path]):
    """The files as an in-memory network; what the load would reject is counted on stderr, by reason."""
    from ownergraph.loaders.csv_folder import FormatError
    from ownergraph.loaders.formats import UnknownFormat
    from ownergraph.loaders.memory import read

    try:
        done = read(paths)
    except (UnknownFormat, FormatError) as exc:
        fail(str(exc))
    if done.rejects:
        err.print(f"rejected: {len(done.rejects)} (the verdict is computed without them)", highlight=False)
        for reason, n in done.rejected.most_common():
            err.print(f"  {n} rejected: {reason}", highlight=False, markup=False)
        for reject in done.rejects[:20]:
            err.print(f"  {reject.source} {reject.location}: {reject.reason}", highlight=False, markup=False)
    return done.network


@app.command()
def party(
    party_id: Annotated[str, typer.Argument(metavar="ID", help="A CSV id, BODS recordId, LEI or scheme:value.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Consolidation in force on this date (today).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A party's facts and identifiers, and its GLEIF ultimate parent computed from the direct consolidation
    chain beside the one declared."""
    import json
    from datetime import date

    from ownergraph.graph.consolidation import of_party
    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.party_details import details as party_details
    from ownergraph.views import render_party

    day = _as_of(as_of) or date.today()
    store = _store()
    try:
        facts = party_details(store, party_id)
        parents = of_party(store, facts["id"], day)
    except OwnergraphError as exc:
        fail(str(exc), 2)
    finally:
        store.close()
    if json_out:
        print(json.dumps({**facts, "ultimate_parents": {"as_of": day.isoformat(), **parents.public()}}, indent=2,
                         default=str))
    else:
        render_party(console, facts, parents, day)


@app.command()
def controllers(
    party_id: Annotated[str, typer.Argument(metavar="ID")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="The date to judge on (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The parties that control ID (company control: more than 50% with what they control), nearest first."""
    import json

    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.evaluate import controllers as find_controllers

    store = _store()
    try:
        found = find_controllers(store, party_id, _as_of(as_of))
    except OwnergraphError as exc:
        fail(str(exc), 2 if exc.status in (404, 409, 422) else 1)
    finally:
        store.close()
    if as_json:
        print(json.dumps(found, indent=2))
        return
    if not found:
        console.print(f"No party controls {party_id} (no one holds more than 50% with what it controls).")
    for c in found:
        console.print(f"[bold]{c['party']['name'] or c['party']['id']}[/] ({c['party']['id']}) {c['status']} "
                      f"{party_id}, {c['distance']} step(s) up", highlight=False)
        for path in c["paths"][:3]:
            chain = " -> ".join([path["edges"][0]["owner_name"] or path["edges"][0]["owner"]] +
                                [f"{e['owned_name'] or e['owned']} ({e['share']['min']:g}%)" for e in path["edges"]])
            console.print(f"    {chain}", highlight=False)


@app.command()
def closure(
    policy: Annotated[list[str] | None, typer.Option(help="Policies to materialise (default: every built-in aggregate policy).")] = None,
    engine: Annotated[str, typer.Option(help="cypher (in Neo4j) or spark (a Spark batch job; needs the spark extra).")] = "cypher",
    master: Annotated[str | None, typer.Option(help="--engine spark: the Spark master (default local mode on 2 cores).")] = None,
) -> None:
    """Materialise the closure of aggregate policies over the whole graph (verdict reads become lookups)."""
    import time
    from datetime import date

    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.materialise import materialise
    from ownergraph.graph.policy import builtin_policies, load_policy

    if engine not in ("cypher", "spark"):
        fail(f"unknown engine {engine!r} (cypher or spark)", 2)
    store = _store()
    spark = None
    try:
        chosen = [load_policy(p) for p in policy] if policy else [
            p for p in builtin_policies().values() if p.method == "aggregate"]
        for p in chosen:
            began = time.monotonic()
            done: MaterialisedClosure
            if engine == "spark":
                from ownergraph.graph import spark_job

                spark = spark or spark_job.session(master)
                done = spark_job.run(store, p, date.today(), spark)
            else:
                done = materialise(store, p)
            console.print(f"{p.name}: {done.restricted} restricted, {done.indeterminate} indeterminate, "
                          f"{done.rounds} rounds, {time.monotonic() - began:.1f} s (as of {done.as_of})")
    except (OwnergraphError, ValueError) as exc:
        fail(str(exc))
    finally:
        if spark is not None:
            spark.stop()
        store.close()


@export_app.command("parquet")
def export_parquet(
    folder: Annotated[Path, typer.Argument(help="Folder to write interests/, parties/, seeds/ and export.json to.")],
    policy: Annotated[list[str] | None, typer.Option(help="Policies whose seeds to write (default: every built-in aggregate policy).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date of the seeds (YYYY-MM-DD, default today).")] = None,
) -> None:
    """Write the graph as Parquet, as the Spark batch closure reads it (graph/spark_closure.py)."""
    from datetime import date

    from ownergraph.graph import spark_job
    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.policy import builtin_policies, load_policy

    day = _as_of(as_of) or date.today()
    store = _store()
    spark = None
    try:
        chosen = [load_policy(p) for p in policy] if policy else [
            p for p in builtin_policies().values() if p.method == "aggregate"]
        spark = spark_job.session()
        done = spark_job.export(store, folder, chosen, day, spark)
        console.print(f"{folder}: {done['parties']} parties, {done['interests']} interests, seeds "
                      + ", ".join(f"{k} {v}" for k, v in done["seeds"].items()) + f" (as of {done['as_of']})",
                      highlight=False)
    except (OwnergraphError, ValueError) as exc:
        fail(str(exc))
    finally:
        if spark is not None:
            spark.stop()
        store.close()


@app.command()
def refresh(
    config: Annotated[Path | None, typer.Option("--config", help="The sources file (default ownergraph.yaml).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Refresh only these sources.")] = None,
    schedule: Annotated[str | None, typer.Option("--schedule", help="Keep running, on this cron schedule (e.g. \"0 2 * * *\"), or \"sources\": each source on its own.")] = None,
    show_history: Annotated[bool, typer.Option("--history", help="List the latest runs instead of running one.")] = False,
    limit: Annotated[int, typer.Option(help="Runs listed by --history.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Bring the graph up to date with its sources: fetch, stage, diff, apply, recompute what changed."""
    import json
    import logging

    from ownergraph.loaders.refresh import RefreshBusy, history, run_scheduled
    from ownergraph.loaders.refresh import refresh as run_refresh
    from ownergraph.loaders.sources import ConfigError, RefreshSettings, load_config

    settings = RefreshSettings()
    if show_history:
        store = _store()
        try:
            runs = history(store, limit)
        finally:
            store.close()
        if as_json:
            print(json.dumps(runs, indent=2))
            return
        for run in runs:
            counts = ", ".join(f"{s['source']} {s['snapshot']}: +{s['stakes_new']} ~{s['stakes_changed']} "
                               f"-{s['stakes_ended']} stakes" for s in run["sources"] or [])
            console.print(f"{run['id']}  {run['status']:<9}  {run['started']} -> {run['ended'] or '...'}  "
                          f"{run['changes'] or 0} verdict changes  {counts or 'nothing new'}"
                          + (f"\n    error: {run['error']}" if run["error"] else ""), highlight=False)
        return
    path = config or settings.refresh_config
    try:
        loaded = load_config(path)
    except ConfigError as exc:
        fail(str(exc), 2)
    if schedule is not None:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        try:
            finished = run_scheduled(settings, None if schedule == "sources" else schedule, config=path)
        except (RefreshBusy, ValueError) as exc:
            fail(str(exc), 2)
        console.print(f"scheduler stopped after {finished} run(s)")
        return
    store = _store()
    try:
        report = run_refresh(settings, loaded, only=set(source) if source else None, store=store)
    except RefreshBusy as exc:
        fail(str(exc), 3)
    finally:
        store.close()
    if as_json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), indent=2, default=str))
    else:
        for s in report.sources:
            console.print(f"{s.source} {s.snapshot}: parties {s.parties_new} new, {s.parties_changed} changed, "
                          f"{s.parties_absent} absent; stakes {s.stakes_new} new, {s.stakes_changed} changed, "
                          f"{s.stakes_ended} ended; {s.unchanged} unchanged, {s.rejected} rejected", highlight=False)
        for c in report.closures:
            console.print(f"  {c['policy']} as of {c['as_of']}: {c['mode']}, {c['region']} parties recomputed, "
                          f"{c['restricted']} restricted, {c['changes']} changed ({c['seconds']} s)", highlight=False)
        console.print(f"run {report.id}: {report.status}, {report.changes} verdict changes"
                      + (f"; webhook {report.webhook['status']}" if report.webhook.get("status") != "none" else ""),
                      highlight=False)
    if report.status != "succeeded":
        fail(f"refresh {report.id} failed: {report.error}")


@app.command()
def demo() -> None:
    """Start Neo4j, load the bundled example, and explain a verdict."""
    from importlib import resources

    from ownergraph.graph import server
    from ownergraph.graph.evaluate import verdict as cypher_verdict
    from ownergraph.graph.materialise import materialise
    from ownergraph.graph.policy import builtin_policies
    from ownergraph.graph.store import connect
    from ownergraph.loaders.run import load as run_load
    from ownergraph.render import render_verdict

    settings = get_settings()
    folder = Path(str(resources.files("ownergraph.demo")))
    if not settings.external:
        console.print("Starting Neo4j (the first run fetches it from Maven Central)...")
        try:
            uri = server.start(settings)
        except server.ServerError as exc:
            fail(str(exc))
        console.print(f"Neo4j is up at {uri}")
    store = connect(settings)
    try:
        summary = run_load(store, [folder], rejects=settings.data_dir / "demo-rejects.csv",
                           show_progress=sys.stderr.isatty())
        console.print(f"Loaded the demo: {summary.parties_new + summary.parties_updated} parties, "
                      f"{summary.interests_new + summary.interests_updated} interests.")
        materialise(store, builtin_policies()["cn-majority"])
        console.print("Materialised the cn-majority closure.\n")
        for party_id in ("VANTAGE", "BALTIC"):
            render_verdict(console, cypher_verdict(store, party_id, "cn-majority"))
            console.print()
    finally:
        store.close()
    console.print("Try: ownergraph verdict COBALT --json | ownergraph verdict FJORD | "
                  "ownergraph verdict ANCHOR --policy ofac-50 | ownergraph serve")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="API processes (README: how many).")] = 1,
) -> None:
    """Run the API and the investigator page (http://127.0.0.1:8000/ by default)."""
    from ownergraph.api.app import serve as run_server

    settings = get_settings()
    overrides = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    run_server(settings.model_copy(update=overrides), workers=workers)


@app.command()
def screen(
    file: Annotated[Path, typer.Argument(help="CSV with some of: ref, id, name, country.", exists=True)],
    policy: Annotated[str, typer.Option(help="A built-in policy name or a YAML policy file.")] = "cn-majority",
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the results (CSV) here instead of stdout.")] = None,
    min_score: Annotated[float, typer.Option(help="Lowest name-match score accepted (0-100).")] = 90.0,
) -> None:
    """Screen a list of counterparties: match each (identifier first, then name) and give its verdict."""
    from datetime import date

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.evaluate import verdicts as cypher_verdicts
    from ownergraph.graph.policy import load_policy
    from ownergraph.screening.csv_rows import read_csv, write_csv
    from ownergraph.screening.rows import screen as run_screen

    day = _as_of(as_of) or date.today()
    try:
        chosen = load_policy(policy)
        rows = read_csv(file.read_text(encoding="utf-8-sig"), max_rows=10**7)
    except (OwnergraphError, ValueError) as exc:
        fail(str(exc), 2)
    store = _store()

    def verdicts_of(keys: list[str]) -> dict[str, dict | OwnergraphError]:
        return {k: v if isinstance(v, OwnergraphError) else v.model_dump(mode="json")
                for k, v in cypher_verdicts(store, keys, chosen, day).items()}

    try:
        with Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("screening", total=len(rows))
            results = run_screen(store, rows, None, min_score, verdicts_of,
                                 progress=lambda done: bar.update(task, completed=done))
    finally:
        store.close()
    text = write_csv(results, chosen.name, chosen.hash(), day)
    if out:
        out.write_text(text, encoding="utf-8")
        matched = sum(1 for r in results if r["party"])
        restricted = sum(1 for r in results if (r["verdict"] or {}).get("verdict") == "restricted")
        errors = sum(1 for r in results if r["error"])
        console.print(f"{len(results)} rows: {matched} matched, {restricted} restricted, {errors} with an error; "
                      f"results in {out}", highlight=False, markup=False)
    else:
        print(text, end="")


@keys_app.command("create")
def keys_create(name: Annotated[str, typer.Option(help="What the key is for.")] = "") -> None:
    """Create an API key; it is printed once and stored only as a salted hash."""
    from ownergraph.api.keys import create

    record, secret = create(get_settings().data_dir, name)
    console.print(f"key id {record.id}: {secret}", highlight=False)
    console.print("Keep it now: only its hash is stored.")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(metavar="KEY_ID")]) -> None:
    """Revoke an API key (effective on the next request)."""
    from ownergraph.api.keys import revoke

    if not revoke(get_settings().data_dir, key_id):
        fail(f"no API key with id {key_id!r}", 2)
    console.print(f"revoked {key_id}")


@keys_app.command("list")
def keys_list(json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False) -> None:
    """The API keys (ids, names, creation and revocation dates; never the keys themselves)."""
    import json

    from ownergraph.api.keys import list_keys
    from ownergraph.views import render_keys

    records = [record.public() for record in list_keys(get_settings().data_dir)]
    if json_out:
        print(json.dumps(records, indent=2))
    else:
        render_keys(console, records)


@app.command("what-if")
def what_if(
    party_id: Annotated[str, typer.Argument(metavar="ID", help="The party judged.")],
    set_: Annotated[list[str] | None, typer.Option("--set", metavar="OWNER>OWNED=SHARE",
                                                   help="A stake's share becomes SHARE (30, or >25..50).")] = None,
    remove: Annotated[list[str] | None, typer.Option(metavar="OWNER>OWNED", help="A stake is gone.")] = None,
    add: Annotated[list[str] | None, typer.Option(metavar="OWNER>OWNED=SHARE", help="A new shareholding.")] = None,
    headquarters: Annotated[list[str] | None, typer.Option(metavar="PARTY=CC", help="An organisation's country.")] = None,
    flip: Annotated[bool, typer.Option("--flip", help="Also the smallest change to each stake that turns the verdict.")] = False,
    policy: Annotated[str, typer.Option(help="A built-in policy name or a YAML policy file.")] = "cn-majority",
    as_of: Annotated[str | None, typer.Option("--as-of", help="The graph as of this date (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    engine: Annotated[str, typer.Option(help="cypher (the graph in Neo4j) or memory (--data files).")] = "cypher",
    data: Annotated[list[Path] | None, typer.Option(help="Files or folders for --engine memory.")] = None,
) -> None:
    """The verdict before and after hypothetical changes, side by side; nothing is written. Changes apply in
    the order --set, --remove, --add, --headquarters. With --flip (or no change), the flip points."""
    import json
    from datetime import date

    from ownergraph.graph import whatif
    from ownergraph.graph.errors import OwnergraphError
    from ownergraph.graph.flip import flips, is_heading
    from ownergraph.graph.policy import load_policy
    from ownergraph.render import render_verdict

    day = _as_of(as_of) or date.today()
    try:
        chosen = load_policy(policy)
        asked: list[tuple[whatif.Kind, list[str] | None]] = [
            ("set", set_), ("remove", remove), ("add", add), ("headquarters", headquarters)]
        changes = [whatif.parse(kind, text) for kind, texts in asked for text in texts or []]
        if engine == "memory":
            if not data:
                fail("--engine memory needs --data FOLDER (the files to judge from)", 2)
            compared, changed = whatif.in_network(_read_memory(list(data)), party_id, changes, chosen, day)
        elif engine == "cypher":
            store = _store()
            try:
                compared, changed = whatif.in_store(store, party_id, changes, chosen, day)
            finally:
                store.close()
        else:
            fail(f"unknown engine {engine!r} (cypher or memory)", 2)
        points = flips(changed, compared.before.entity.id, chosen, day) if flip or not changes else None
    except OwnergraphError as exc:
        fail(str(exc), 2 if exc.status in (404, 409, 422) else 1)
    if as_json:
        out = compared.model_dump(mode="json")
        out["flips"] = points.model_dump(mode="json") if points else None
        print(json.dumps(out, indent=2))
        return
    if changes:
        console.print("[bold]Hypothetical changes[/] (nothing is saved):", highlight=False)
        for change in compared.changes:
            console.print(f"  * {change.description}", highlight=False, markup=False)
        console.print("[bold]Before[/]", highlight=False)
        render_verdict(console, compared.before)
        console.print("[bold]After (hypothetical)[/]", highlight=False)
        render_verdict(console, compared.after)
    else:
        render_verdict(console, compared.before)
    if points is not None:
        console.print("[bold]What would it take[/]" + (" (after the changes)" if changes else ""), highlight=False)
        for line in points.explanation:  # a heading as it is, the findings under it as bullets
            console.print(f"  {line}" if is_heading(line) else f"  - {line}", highlight=False, markup=False)


if __name__ == "__main__":
    app()
