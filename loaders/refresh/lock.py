"""One refresh at a time: an exclusive lock file under the data directory."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ownergraph.graph.errors import RefreshBusy
from ownergraph.loaders.sources import RefreshSettings

LOCK, SCHEDULER_LOCK = "refresh.lock", "refresh-scheduler.lock"


@contextmanager
def locked(settings: RefreshSettings, name: str = LOCK) -> Iterator[Path]:
    """Hold an exclusive lock file under the data directory, or raise RefreshBusy at once."""
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshBusy(f"another refresh holds {path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        handle.close()
