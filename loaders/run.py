"""One load: read each path with its format's reader, write through the sink, report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ownergraph.graph import writes
from ownergraph.graph.store import Store
from ownergraph.loaders import formats
from ownergraph.loaders.sink import LoadSummary, RejectsFile, Sink


def load(store: Store, paths: list[Path], fmt: str = "auto", rejects: Path | None = None,
         batch_size: int = 5000, show_progress: bool = True) -> LoadSummary:
    if rejects is None:
        stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
        rejects = Path(f"rejects-{stamp}.csv")
    store.apply_schema()
    write = writes.begin(store)  # the closures are withdrawn before the first write, given back at the end
    sink = Sink(store, RejectsFile(rejects), batch_size)
    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("records"), TimeElapsedColumn()]
    with Progress(*columns, disable=not show_progress, transient=False) as progress:
        for path in paths:
            kind = formats.detect(path) if fmt == "auto" else fmt
            task = progress.add_task(f"{kind}: {path.name}", total=None)
            for item in formats.reader(kind)(path):
                sink.add(item)
                progress.advance(task)
            progress.update(task, total=progress.tasks[task].completed)
        summary = sink.finish()
    writes.finish(store, write, sink.touched)
    return summary
