"""What each source said last time: kept in the graph (the reference) and cached in a local file."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from ownergraph.graph.store import Store, native
from ownergraph.loaders.refresh.apply import Applied, in_pages
from ownergraph.loaders.refresh.stage import Said


def read_state(store: Store, source: str) -> dict[str, Said]:
    out = {}
    for row in store.stream("refresh/state_read", source=source):
        out[row["rkey"]] = Said(list(row["parts"] or []), native(row["start"]), row["interest"],
                                list(row["lists"] or []), tuple(row["listings"] or ()))
    return out


def said_before(store: Store, source: str, work: Path) -> dict[str, Said]:
    """What a source said last time: from the local copy `keep_said` wrote when it belongs to the run that
    last remembered the source (SourceState), else read back from the graph (the reference)."""
    state = store.run("refresh/source_state_get", source=source)[0]
    path = work / "state" / f"{source}.pickle"
    try:
        with open(path, "rb") as handle:
            header = pickle.load(handle)
            if header == {"source": source, "run": state["run"], "snapshot": str(native(state["snapshot"]))}:
                return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        pass
    return read_state(store, source)


def keep_said(applied: Applied, run: str, work: Path) -> None:
    """A local copy of what the source has now said, so the next run need not read it back from the graph
    (about 60k records a second); written after `remember`, replaced atomically, only a cache."""
    said = dict(applied.diff.before)
    for key in applied.diff.dropped:
        said.pop(key, None)
    for row in applied.state:
        said[row["rkey"]] = Said(list(row["parts"]), row["start"], row["interest"], list(row["lists"]),
                                 tuple(row["listings"]))
    folder = work / "state"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{applied.report.source}.pickle"
    partial = path.with_name(path.name + ".part")
    header = {"source": applied.report.source, "run": run, "snapshot": applied.diff.snapshot.date.isoformat()}
    with open(partial, "wb") as handle:
        pickle.dump(header, handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(said, handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


def remember(store: Store, applied: Applied, run: str) -> None:
    """Write what the source said (last: a run stopped before this is redone from the same diff)."""
    name, day = applied.report.source, applied.diff.snapshot.date
    in_pages(store, "refresh/state_write", applied.state, source=name, date=day, run=run)
    in_pages(store, "refresh/state_gone", applied.diff.dropped, key="rkeys", source=name, date=day, run=run)
    store.run("refresh/source_state_set", source=name, date=day, run=run, path=str(applied.diff.snapshot.path),
              kind=applied.diff.snapshot.source.kind)
