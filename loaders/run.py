"""One load: read each path with its format's reader, write through the sink, report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ownergraph.graph import writes
from ownergraph.graph.store import Store
from ownergraph.loaders import files, reading
from ownergraph.loaders.records import Reject
from ownergraph.loaders.sink import LoadSummary, RejectsFile, Sink


def load(store: Store, paths: list[Path], fmt: str = "auto", rejects: Path | None = None,
         batch_size: int = 5000, show_progress: bool = True,
         record_limit: int = files.DEFAULT_RECORD_LIMIT) -> LoadSummary:
    planned, unreadable = reading.plan(paths, fmt)  # every path's format, before anything is written
    if rejects is None:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        rejects = Path(f"rejects-{stamp}.csv")
    store.apply_schema()
    write = writes.begin(store)  # the closures are withdrawn before the first write, given back at the end
    sink = Sink(store, RejectsFile(rejects), batch_size)
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("records"), TimeElapsedColumn()]
    try:
        summary = _read_into(sink, planned, unreadable, columns, show_progress, record_limit)
    except BaseException:
        sink.close()  # nothing more is written; the closures stay withdrawn (graph/writes.py)
        raise
    writes.finish(store, write, sink.touched)
    return summary


def _read_into(sink: Sink, planned: list[tuple[Path, str]], unreadable: list[Reject], columns: list,
               show_progress: bool, record_limit: int) -> LoadSummary:
    """Every record of every planned path into the sink (which writes while the next batch is read)."""
    with Progress(*columns, disable=not show_progress, transient=False) as progress:
        for reject in unreadable:
            sink.reject(reject)
            sink.summary.unreadable.append(reject.reason.removeprefix("cannot read the file: "))
        conflicts = reading.Conflicts()
        limit = files.record_limit.set(record_limit)
        try:
            for path, kind in planned:
                task = progress.add_task(f"{kind}: {path.name}", total=None)
                for item in reading.items(path, kind, conflicts):
                    if isinstance(item, Reject) and item.location == "file":
                        sink.summary.unreadable.append(f"{item.source}: {item.reason}")
                    sink.add(item)
                    progress.advance(task)
                progress.update(task, total=progress.tasks[task].completed)
        finally:
            files.record_limit.reset(limit)
        sink.summary.conflicts, sink.summary.conflict_examples = conflicts.count, conflicts.examples
        return sink.finish()
