"""The bulk load: files read and resolved, Parquet written, `neo4j-admin database import full`, then the schema.

- `write_files` reads the paths as `ownergraph load` reads them (same plan, readers, rejects file and
  summary), resolves identity (`resolve.py`) and writes the import's Parquet files, `manifest.json` and
  `import-command.txt` into a folder; it needs no database.
- `bulk_load` is the whole path on the project's local server: refused unless the database is empty,
  then the files, the server stopped, the import, the server started on the new store, and `finish`.
- `finish` brings an imported database to where a load leaves it: constraints, indexes and the schema
  version (`Store.apply_schema`), the empty strings the import drops, the writers' register; it then checks the
  database holds what the files hold. On an external server it is `ownergraph load --finish-import DIR`
  after neo4j-admin ran on that host.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ownergraph.graph import server, writes
from ownergraph.graph.errors import OwnergraphError
from ownergraph.graph.store import SCHEMA_VERSION, Store, opened, pages
from ownergraph.loaders import files, reading
from ownergraph.loaders.bulk import importfiles
from ownergraph.loaders.bulk.resolve import Resolver
from ownergraph.loaders.records import Reject
from ownergraph.loaders.sink import LoadSummary, RejectsFile
from ownergraph.settings import Settings

MANIFEST = "manifest.json"
COMMAND = "import-command.txt"
FIX_ROWS = 50_000  # rows per transaction of the statements run after the import
FIXES = {"Party": "bulk/fix_parties", "Provenance": "bulk/fix_provenance", "INTEREST": "bulk/fix_interests"}
# what the database must hold after the import: label or type -> the statement's count column
COUNTED = {"Party": "parties", "INTEREST": "interests", "Identifier": "identifiers", "Provenance": "provenance",
           "LISTED": "listings"}


class BulkRefused(OwnergraphError):
    """The bulk path cannot run here (a database that is not empty, an external server); nothing was written."""

    status = 409


class BulkFailed(OwnergraphError):
    status = 500


@dataclass
class BulkFiles:
    """The files of one import, in `folder`, and what reading them found."""

    folder: Path
    summary: LoadSummary
    counts: dict[str, int]
    arguments: list[str]
    fixups: int = 0
    listing_sources: bool = False
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


def default_rejects() -> Path:
    return Path(f"rejects-{datetime.now().strftime('%Y%m%dT%H%M%S')}.csv")


def write_files(paths: list[Path], folder: Path, fmt: str = "auto", rejects: Path | None = None,
                batch_size: int = 5000, show_progress: bool = True, database: str = "neo4j",
                record_limit: int = files.DEFAULT_RECORD_LIMIT) -> BulkFiles:
    """Read `paths` and write the import's files into `folder` (created; files of an earlier run replaced)."""
    began = time.monotonic()
    folder = folder.resolve()
    planned, unreadable = reading.plan(paths, fmt)  # every path's format, before anything is written
    _prepare(folder)
    clock = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    resolver = Resolver(folder / "spill", RejectsFile(rejects or default_rejects()), batch_size)
    try:
        _read(resolver, planned, unreadable, show_progress, record_limit)
        summary = resolver.finish()
        read_s = time.monotonic() - began
        written = importfiles.write(resolver, folder, clock)
    finally:
        resolver.close()
        shutil.rmtree(folder / "spill", ignore_errors=True)
    summary.interests_new = written.counts["INTEREST"]
    summary.interests_updated = written.stakes_written - written.counts["INTEREST"]
    result = BulkFiles(folder, summary, written.counts, importfiles.import_arguments(written, database),
                       written.fixups, written.listing_sources,
                       {"read": read_s, "files": time.monotonic() - began - read_s})
    _save(result)
    return result


def _prepare(folder: Path) -> None:
    """An empty folder, or one an earlier `write_files` wrote (its files are replaced); never another."""
    ours = {*importfiles.file_names(), MANIFEST, COMMAND, "import.report", "import.log", "spill"}
    if folder.exists():
        if not folder.is_dir():
            raise BulkRefused(f"{folder} is not a folder")
        others = sorted(p.name for p in folder.iterdir() if p.name not in ours)
        if others and not (folder / MANIFEST).exists():
            raise BulkRefused(f"{folder} is not empty (it holds {others[0]}{' ...' if len(others) > 1 else ''}): "
                              "the import files go into an empty folder (or one they were written to before)")
        for name in ours:
            path = folder / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)


def _read(resolver: Resolver, planned: list[tuple[Path, str]], unreadable: list[Reject], show_progress: bool,
          record_limit: int) -> None:
    """The loop of `loaders.run.load`, into the resolver."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("records"), TimeElapsedColumn()]
    summary = resolver.summary
    with Progress(*columns, disable=not show_progress, transient=False, console=Console(stderr=True)) as progress:
        for reject in unreadable:
            resolver.reject(reject)
            summary.unreadable.append(reject.reason.removeprefix("cannot read the file: "))
        conflicts = reading.Conflicts()
        limit = files.record_limit.set(record_limit)
        try:
            for path, kind in planned:
                task = progress.add_task(f"{kind}: {path.name}", total=None)
                count = 0
                for item in reading.items(path, kind, conflicts):
                    if item.__class__ is Reject and item.location == "file":
                        summary.unreadable.append(f"{item.source}: {item.reason}")
                    resolver.add(item)
                    count += 1
                    if show_progress and not count % 5000:
                        progress.update(task, completed=count)
                progress.update(task, completed=count, total=count)
        finally:
            files.record_limit.reset(limit)
        summary.conflicts, summary.conflict_examples = conflicts.count, conflicts.examples


def _save(result: BulkFiles) -> None:
    summary = asdict(result.summary)
    summary["rejected"] = dict(result.summary.rejected)
    summary["rejects_file"] = str(result.summary.rejects_file) if result.summary.rejects_file else None
    manifest = {"schema_version": SCHEMA_VERSION, "counts": result.counts, "arguments": result.arguments,
                "fixups": result.fixups, "listing_sources": result.listing_sources, "summary": summary}
    (result.folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    command = " ".join(["neo4j-admin", "database", "import", "full", "--overwrite-destination=true",
                        *(_quoted(a) for a in result.arguments)])
    (result.folder / COMMAND).write_text(
        f"# Run in this folder on the Neo4j host, with the database stopped (or absent):\n{command}\n"
        f"# then start the database and run: ownergraph load --finish-import {result.folder}\n")


def _quoted(arg: str) -> str:
    return arg if all(c.isalnum() or c in "-_=.,:/+" for c in arg) else "'" + arg.replace("'", "'\\''") + "'"


def read_files(folder: Path) -> BulkFiles:
    """The BulkFiles of a folder `write_files` wrote."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BulkFailed(f"{folder} holds no {MANIFEST}: it was not written by `ownergraph load --bulk "
                         "--write-import-files`") from None
    if manifest["schema_version"] != SCHEMA_VERSION:
        raise BulkFailed(f"{folder} was written for schema version {manifest['schema_version']}; this ownergraph "
                         f"writes version {SCHEMA_VERSION}: write the files again")
    raw = manifest["summary"]
    summary = LoadSummary(**{**raw, "rejects_file": Path(raw["rejects_file"]) if raw["rejects_file"] else None})
    from collections import Counter

    summary.rejected = Counter(raw["rejected"])
    return BulkFiles(folder, summary, manifest["counts"], manifest["arguments"], manifest["fixups"],
                     manifest["listing_sources"])


# -- the database side ---------------------------------------------------------------------------------

EXTERNAL = ("NEO4J_URI is set ({uri}): the bulk path writes the store files of the project's local server "
            "only, with that server stopped. For the server at {uri}: write the files here with `ownergraph "
            "load --bulk --write-import-files DIR PATH...`, copy DIR to the Neo4j host, stop the database there "
            "and run the command in DIR/import-command.txt (neo4j-admin database import full) in DIR, start "
            "it, then run `ownergraph load --finish-import DIR` here (schema, indexes, schema version). Or "
            "load it with `ownergraph load PATH...` (transactional).")


def check_empty(store: Store) -> None:
    """Refuse a database that holds anything but a schema version and an idle writers' register."""
    row = store.run("bulk/occupied")[0]
    if row["example"] is not None:
        counts = store.counts()
        raise BulkRefused(
            f"the database is not empty ({row['nodes']:,} nodes: {counts['parties']:,} parties, "
            f"{counts['interests']:,} interests, e.g. a node labelled {':'.join(row['example'])}); the bulk path builds "
            "a new store and would replace it. Load into it with `ownergraph load PATH...` (transactional), "
            "or empty it first with `ownergraph db reset`")
    if row["writers"]:
        raise BulkRefused(f"a write to the database is under way ({row['writers'][0]}); the bulk path needs an "
                          "empty database nobody writes to")


def bulk_load(settings: Settings, paths: list[Path], fmt: str = "auto", rejects: Path | None = None,
              keep: Path | None = None, show_progress: bool = True) -> BulkFiles:
    """The whole bulk path on the local server; the import's files are kept in `keep` when given."""
    if settings.external:
        raise BulkRefused(EXTERNAL.format(uri=settings.neo4j_uri))
    say = _say(show_progress)
    began = time.monotonic()
    server.start(settings)
    with opened(settings) as store:
        check_empty(store)
    folder = keep or server.layout(settings).home / "import" / f"bulk-{datetime.now().strftime('%Y%m%dT%H%M%S')}"
    try:
        result = write_files(paths, folder, fmt, rejects, settings.batch_size, show_progress, settings.neo4j_database,
                             settings.max_record_mb * 2**20)
        say(f"import files written in {folder} ({time.monotonic() - began:.1f} s)")
        if not result.empty:
            with opened(settings) as store:
                check_empty(store)  # again: nothing may have been written meanwhile
            _import(settings, result, say)
        with opened(settings) as store:
            result.seconds.update(finish(store, result))
    except BaseException:
        if keep is None:
            say(f"the import's files are kept in {folder}")
        raise
    if keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    result.seconds["total"] = time.monotonic() - began
    return result


def _import(settings: Settings, result: BulkFiles, say) -> None:
    began = time.monotonic()
    server.stop(settings)
    result.seconds["stop"] = time.monotonic() - began
    args = ["database", "import", "full", "--overwrite-destination=true",
            f"--max-off-heap-memory={settings.pagecache_size}", f"--report-file={result.folder / 'import.report'}",
            *result.arguments]
    say("neo4j-admin database import full ...")
    began = time.monotonic()
    done = server.admin(settings, args, cwd=result.folder)
    result.seconds["import"] = time.monotonic() - began
    (result.folder / "import.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        _restore_empty(settings)
        raise BulkFailed(f"neo4j-admin database import failed (exit code {done.returncode}); the database is empty "
                         f"again. Its output is in {result.folder / 'import.log'}:\n{(done.stdout + done.stderr)[-3000:]}")
    began = time.monotonic()
    server.start(settings)
    result.seconds["start"] = time.monotonic() - began


def _restore_empty(settings: Settings) -> None:
    """After a failed import: the half-written store removed, the server started on an empty database."""
    data = server.layout(settings).data
    for folder in ("databases", "transactions"):
        shutil.rmtree(data / folder / settings.neo4j_database, ignore_errors=True)
    server.start(settings)


def finish(store: Store, result: BulkFiles) -> dict[str, float]:
    """Schema, the empty strings the import drops, the writers' register; then the database is checked against the
    files. Returns the seconds of each step."""
    seconds = {}
    began = time.monotonic()
    store.apply_schema()
    seconds["schema"] = time.monotonic() - began
    began = time.monotonic()
    if result.listing_sources:
        store.run_auto("bulk/listing_sources", rows=FIX_ROWS)
    fixes: dict[str, list[dict]] = {}
    for fix in importfiles.fixup_rows(result.folder):
        fixes.setdefault(fix.pop("label"), []).append(fix)
    for label, rows in fixes.items():
        for page in pages(rows, FIX_ROWS):
            store.run(FIXES[label], rows=list(page))
    seconds["fixups"] = time.monotonic() - began
    write = writes.begin(store)  # the writers' register, as a load leaves it (no closure exists yet)
    writes.finish(store, write, [])
    counts = store.counts()
    wrong = {label: (counts[column], result.counts.get(label, 0)) for label, column in COUNTED.items()
             if counts[column] != result.counts.get(label, 0)}
    if wrong:
        raise BulkFailed("the database does not hold what the import files hold: " + ", ".join(
            f"{label} {held:,} in the database, {expected:,} in the files" for label, (held, expected) in wrong.items()))
    return seconds


def finish_import(settings: Settings, folder: Path) -> BulkFiles:
    """`ownergraph load --finish-import DIR`: finish a database neo4j-admin imported DIR into."""
    result = read_files(folder)
    with opened(settings) as store:
        result.seconds.update(finish(store, result))
    return result


def _say(show: bool):
    def say(message: str) -> None:
        if show:
            print(message, file=sys.stderr, flush=True)
    return say
